--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: access_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.access_tokens (
    cache_key character varying(64) NOT NULL,
    subject character varying(64) NOT NULL,
    token text NOT NULL,
    expires_at timestamp with time zone NOT NULL
);


--
-- Name: authorisation_states; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.authorisation_states (
    state_hash character varying(64) NOT NULL,
    connection_id integer NOT NULL,
    redirect_uri text NOT NULL,
    fingerprint character varying(64) NOT NULL,
    expires_at timestamp with time zone NOT NULL
);


--
-- Name: connections; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.connections (
    id integer NOT NULL,
    name character varying(64) NOT NULL,
    settings text NOT NULL,
    client_secret text,
    refresh_token text,
    aws_secret_access_key text,
    aws_access_key_id text,
    aws_role_arn text,
    version integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    client_secret_set_at timestamp with time zone,
    authorised_at timestamp with time zone,
    logged_out_at timestamp with time zone,
    last_test_ok boolean,
    last_test_at timestamp with time zone,
    last_test_summary text
);


--
-- Name: connections_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.connections_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: connections_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.connections_id_seq OWNED BY public.connections.id;


--
-- Name: rate_buckets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.rate_buckets (
    bucket character varying(512) NOT NULL,
    tat double precision,
    rate double precision
);


--
-- Name: store_meta; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.store_meta (
    key character varying(64) NOT NULL,
    value text NOT NULL
);


--
-- Name: connections id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.connections ALTER COLUMN id SET DEFAULT nextval('public.connections_id_seq'::regclass);


--
-- Data for Name: access_tokens; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.access_tokens VALUES ('fixture-token-key', 'c22d4dc98f0f72e9452551bc87cc1cbe00db4e779ae1cfb21bd8a12dd39952fe', 'v1:eNl0v5KbQs7_LMWxwJOjl0JoPvHcFFu2fYthk0Gc7VsvGnxX_UYZUxPXr1XTq7p_oZbJ2Eg=', '2099-01-01 00:00:00+00');


--
-- Data for Name: authorisation_states; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.authorisation_states VALUES ('fce81733eded141f1c019dc48cc41035123e435b9280352538f8072c3ecf3d7e', 1, 'https://localhost:8721/amazon-connector/callback', 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', '2099-01-01 00:00:00+00');


--
-- Data for Name: connections; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.connections VALUES (1, 'shop-uk', '{"advanced": {"extended_logging": false, "pagination": false, "retries": 5, "retry_wait": 3, "sign_requests": false}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "UK", "draft_app": false, "environment": "production", "mode": "restricted", "name": "shop-uk", "redirect_uri": null, "selling_partner_id": "A2EXAMPLE12345"}', 'v1:IGcpstEcHT5ZmW53E7JnQNK6Q_JcEjWskszKn3bfcEbD2ZesVGPQlykFg5QlzGCpjKMTlBuE5dMtI2vffyhXaLlzWaapDTVH4V2dVnIn3mXi7ibWSA154UoxUVTLjTb5CAqd4AJ-Dgp1twqH', 'v1:8Mvl_QMqNX6TXF9hJSL-GRoH6TuI3S0Ugm2SxfgmM3Jav28kRCdvKUiNPKvkVnsUqdFWSLY4G5D7whjPJ-2rvHz7t0HygWfIWPILqo1S0KosXyfxwQR9S3JtuUwBxMvO-5odYTQHmn0mi_NhzI05ODR2VwBaf5z5yX2vWQZOA0Ilkysioa1bsYKCGFor7RTv0rXDGsjVYH-mViaECQY=', 'v1:VqkU0EohoCzWmVF9utBfRbSHJ7BWP6bFNYKzLGbGpCrnVt4wTzN8V2nmpOB72HP0Xk2AsCMo3qtBePtHpqYPoVOJ394=', 'v1:uHNJyaeX_x78OuZIFxPyO0t0vklyciO8jAgIR5gZ2Pe3Dy5tEpIkCbZu53MhtQyO', 'v1:vFWxNe4CHNbTHzaTboivhnefqZamhzVWGS9JC9Ez9w9jp6r3m0BjvpIK01dsV2djmIgyDKMu4qiXP106eBkvoVqWqno_Wkx35X-tLLM=', 1, '2026-11-20 10:00:00+00', '2026-11-20 10:00:00+00', '2026-11-20 10:00:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (2, 'shop-de', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "DE", "draft_app": false, "environment": "production", "mode": "standard", "name": "shop-de", "redirect_uri": null, "selling_partner_id": null}', 'v1:pXnQ3SZyoQI19vCm_7sgs55YmeQ_p9_Dn8-Vh5qbho-REFuwSgLHbLcYnqnttB6SED_i4KGv7t57SUdVqM1A4x-Y0dMfDjoY5c5Xl5DOo2Ft59vseCMQN2j5IqyyBPh2Mwd-1SwU07PBYCX-', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:01:00+00', '2026-11-20 10:01:00+00', '2026-11-20 10:01:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (3, 'shop-fr', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "FR", "draft_app": false, "environment": "production", "mode": "standard", "name": "shop-fr", "redirect_uri": null, "selling_partner_id": null}', 'v1:daBnYc6qeGhoRiikf-YOikWnRIp7wZS2qHxMBnC9lkFNSKmQ1Gk3FxAdfPydrQYp1vfocYW7HJsOZSf2nSYcQ0zuBEspcgtgqhWQddEsxL87Ep5YYYxq59bRg7olLvhfjBOVJdWDc73DN5zC', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:02:00+00', '2026-11-20 10:02:00+00', '2026-11-20 10:02:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (4, 'legacy', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": null, "client_id": null, "country": "IT", "draft_app": false, "environment": "production", "mode": "standard", "name": "legacy", "redirect_uri": null, "selling_partner_id": null}', 'v1:YFza_8_1vcRJx0b2Wdt9PrLnUAICSqLEvKwD2qD_EdigvWUOMOUjV54mSI9N1c436pd3I8LKS0JsYV2AFFSByKwsAN2imYOzclkx8u20PATaebpcBHMtrxc-OffZemGOvhIeYoY3EvhAud72', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:03:00+00', '2026-11-20 10:03:00+00', '2026-11-20 10:03:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (5, 'emulated', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": null, "client_id": "amzn1.application-oa2-client.fedcba9876543210fedcba9876543210", "country": "US", "draft_app": false, "environment": "http://127.0.0.1:9", "mode": "standard", "name": "emulated", "redirect_uri": null, "selling_partner_id": null}', 'v1:VwMIhyM3X-AkhdFPj_jIWu6bFvY7uOZaU0SQ0GL3-6_HhtLe3kznSfQGKfZ0CsHPXVQS4_iZLWK48ulE9HwleOo9jv0ZgGEy9qZhHiEcOTGVhGg8K799FRCbpfexX_b8l71Vm-uDcP_-C1Ce', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:04:00+00', '2026-11-20 10:04:00+00', '2026-11-20 10:04:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (6, 'draft', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": null, "client_id": null, "country": null, "draft_app": false, "environment": "production", "mode": "standard", "name": "draft", "redirect_uri": null, "selling_partner_id": null}', NULL, NULL, NULL, NULL, NULL, 1, '2026-11-20 10:05:00+00', '2026-11-20 10:05:00+00', NULL, NULL, NULL, NULL, NULL, NULL);


--
-- Data for Name: rate_buckets; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.rate_buckets VALUES ('fixture-bucket', NULL, 0.5);


--
-- Data for Name: store_meta; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.store_meta VALUES ('key_check', 'v1:JoGJOQ0yt7tKCeYLuVXKqMkjoo61Fc0_SADBKrikI8cQ9Z6d0d-8ZRfiayue7LEjnDlB_Ee1');


--
-- Name: connections_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.connections_id_seq', 6, true);


--
-- Name: access_tokens access_tokens_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.access_tokens
    ADD CONSTRAINT access_tokens_pkey PRIMARY KEY (cache_key);


--
-- Name: authorisation_states authorisation_states_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.authorisation_states
    ADD CONSTRAINT authorisation_states_pkey PRIMARY KEY (state_hash);


--
-- Name: connections connections_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.connections
    ADD CONSTRAINT connections_name_key UNIQUE (name);


--
-- Name: connections connections_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.connections
    ADD CONSTRAINT connections_pkey PRIMARY KEY (id);


--
-- Name: rate_buckets rate_buckets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.rate_buckets
    ADD CONSTRAINT rate_buckets_pkey PRIMARY KEY (bucket);


--
-- Name: store_meta store_meta_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.store_meta
    ADD CONSTRAINT store_meta_pkey PRIMARY KEY (key);


--
-- Name: ix_access_tokens_subject; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_access_tokens_subject ON public.access_tokens USING btree (subject);


--
-- Name: authorisation_states authorisation_states_connection_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.authorisation_states
    ADD CONSTRAINT authorisation_states_connection_id_fkey FOREIGN KEY (connection_id) REFERENCES public.connections(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


