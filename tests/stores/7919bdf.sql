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
-- Name: applications; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.applications (
    id integer NOT NULL,
    client_id character varying(128) NOT NULL,
    token_url character varying(512) NOT NULL,
    client_secret text,
    secret_issued_at timestamp with time zone,
    secret_expires_at timestamp with time zone,
    previous_secret text,
    previous_expires_at timestamp with time zone,
    rotation_requested_at timestamp with time zone,
    queue_url text,
    aws_region character varying(32),
    aws_profile character varying(128),
    version integer NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: applications_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.applications_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: applications_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.applications_id_seq OWNED BY public.applications.id;


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
-- Name: applications id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.applications ALTER COLUMN id SET DEFAULT nextval('public.applications_id_seq'::regclass);


--
-- Name: connections id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.connections ALTER COLUMN id SET DEFAULT nextval('public.connections_id_seq'::regclass);


--
-- Data for Name: access_tokens; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.access_tokens VALUES ('fixture-token-key', 'c22d4dc98f0f72e9452551bc87cc1cbe00db4e779ae1cfb21bd8a12dd39952fe', 'v1:dJMyxiWFtMIZqXClci0ogsZ2PFVTg8kmE3IwRET7a4iUfNX1kgeS-CSss6ZgThgHHvPrcfg=', '2099-01-01 00:00:00+00');


--
-- Data for Name: applications; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.applications VALUES (1, 'amzn1.application-oa2-client.0123456789abcdef0123456789abcdef', 'https://api.amazon.com/auth/o2/token', 'v1:qMlZjYocECVmCw3JSSY7Oc9dzGtvC5fyob-LDRKm5ZMtQ4HqmJnZ8NUPppcofLChCoiFTgj2xk1F_eatxqbc0ybUU0rFWZeshWNNUQ9Aq6565B6U_tEFrjYgLX6OAacNNCLs1oZDEjt2Cxme', '2026-11-20 10:01:00+00', NULL, 'v1:e_sV3ntP0VehRxOZPidy3wMWndIyfuyXCgP_4YcFlp77GPWO0wz4lGI_YHtFQdBILkiEQCguE_yPY-CMvB1pcMe0OGToLpLFHuXz9BqU5D_lXog8m5UIplia9CZUhmSKU9bqK55uXM8UKaot', '2026-11-27 10:01:00+00', NULL, NULL, NULL, NULL, 2, '2026-11-20 10:01:00+00');
INSERT INTO public.applications VALUES (2, 'amzn1.application-oa2-client.fedcba9876543210fedcba9876543210', 'http://127.0.0.1:9/auth/o2/token', 'v1:zOxsCm24JuiBbdDH1XegJIf27J-pclrPdsGuspQCxiAQCiDlME21vd2HvGJlXZ_34NEVAxbvvp-fGReJw_gGz4JumRINYrYxvd6obLxuCzPQhkNurevLKlwSCc8Zcaw7x9oDfLddSZQisoUv', '2026-11-20 10:04:00+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, '2026-11-20 10:04:00+00');


--
-- Data for Name: authorisation_states; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.authorisation_states VALUES ('fce81733eded141f1c019dc48cc41035123e435b9280352538f8072c3ecf3d7e', 1, 'https://localhost:8721/amazon-connector/callback', 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', '2099-01-01 00:00:00+00');


--
-- Data for Name: connections; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.connections VALUES (1, 'shop-uk', '{"advanced": {"extended_logging": false, "pagination": false, "retries": 5, "retry_wait": 3, "sign_requests": false}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "UK", "draft_app": false, "environment": "production", "mode": "restricted", "name": "shop-uk", "redirect_uri": null, "selling_partner_id": "A2EXAMPLE12345"}', NULL, 'v1:nZcehnlMthqorHDHWdA5MvtaXxLbVXfYYHO58cUtRQgccTJK7i-Rh2jx9OLpzuTPd3mpAY8jEtqJ26bg-Wj2K19Ouisv9FjPxZ0C486hJ3LqfYMV3ZjZn80CDbrMaVs8mVb_tUtHvjH_UmlGjTuLcNvwIM1vlwfb30UOGsbwRE7P_1EodBYpEOrUOpLPhPeOKF_h8kw5k_Iw2YIicbI=', 'v1:hR7eKu0dyUZ8qh3Fsqt0-VH75k_hh5PkqYYTDqqUmFPnobg2E5iODjGzgCNj2D2TCe92dt0Lb-15BsMP_Yrbnf5Oog8=', 'v1:S6bCYg4rEyDeUepcvzQX4CZkhkcJH7zZEh6NmbUE2rNVm29zxda_1we2Oqb-ZrXH', 'v1:76EaByJ_chCgFXsMfnb_i9rS_CXPUuKHKhBR5MW5VsrDMN63O8CRSs33TKgvfZ6jCdY3-lZZBM88u_kid8dV3WjnCdszV-hx-Jusng8=', 1, '2026-11-20 10:00:00+00', '2026-11-20 10:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (2, 'shop-de', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "DE", "draft_app": false, "environment": "production", "mode": "standard", "name": "shop-de", "redirect_uri": null, "selling_partner_id": null}', NULL, NULL, NULL, NULL, NULL, 1, '2026-11-20 10:01:00+00', '2026-11-20 10:01:00+00', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (3, 'shop-fr', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "FR", "draft_app": false, "environment": "production", "mode": "standard", "name": "shop-fr", "redirect_uri": null, "selling_partner_id": null}', NULL, NULL, NULL, NULL, NULL, 1, '2026-11-20 10:02:00+00', '2026-11-20 10:02:00+00', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (4, 'legacy', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": null, "client_id": null, "country": "IT", "draft_app": false, "environment": "production", "mode": "standard", "name": "legacy", "redirect_uri": null, "selling_partner_id": null}', 'v1:CkzqG5eu0xsE9GBaUy62kRiKDivIWIpp0H5gvdycgTGIIEs1fcIlHfgFmM92nbByv7QcWrIO_l1o3h34hIc4_rq6GVnuBpVMhvURTgoDDDCnLRJY4bq8DwnKkQe-aj-UPF-bqsyCm10G0R-t', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:03:00+00', '2026-11-20 10:03:00+00', '2026-11-20 10:03:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (5, 'emulated', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": null, "client_id": "amzn1.application-oa2-client.fedcba9876543210fedcba9876543210", "country": "US", "draft_app": false, "environment": "http://127.0.0.1:9", "mode": "standard", "name": "emulated", "redirect_uri": null, "selling_partner_id": null}', NULL, NULL, NULL, NULL, NULL, 1, '2026-11-20 10:04:00+00', '2026-11-20 10:04:00+00', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (6, 'draft', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": null, "client_id": null, "country": null, "draft_app": false, "environment": "production", "mode": "standard", "name": "draft", "redirect_uri": null, "selling_partner_id": null}', NULL, NULL, NULL, NULL, NULL, 1, '2026-11-20 10:05:00+00', '2026-11-20 10:05:00+00', NULL, NULL, NULL, NULL, NULL, NULL);


--
-- Data for Name: rate_buckets; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.rate_buckets VALUES ('fixture-bucket', NULL, 0.5);


--
-- Data for Name: store_meta; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.store_meta VALUES ('key_check', 'v1:tooN3HKJi8PWBaL6J2CqBS3PCo9lnS5n78l-iJsVhvKBIjJ5X3CZ3E2uGbS9yqVme7gnrs_c');


--
-- Name: applications_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.applications_id_seq', 2, true);


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
-- Name: applications applications_client_id_token_url_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.applications
    ADD CONSTRAINT applications_client_id_token_url_key UNIQUE (client_id, token_url);


--
-- Name: applications applications_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.applications
    ADD CONSTRAINT applications_pkey PRIMARY KEY (id);


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


