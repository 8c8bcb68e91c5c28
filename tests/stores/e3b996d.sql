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

INSERT INTO public.access_tokens VALUES ('fixture-token-key', 'c22d4dc98f0f72e9452551bc87cc1cbe00db4e779ae1cfb21bd8a12dd39952fe', 'v1:dplDkS7uzOpAW2XoAsiEVfm9EVkQaqdjr4bW6C9QcHOYc9ASBaeKsPuOY8LXJe2uVH7sYLY=', '2099-01-01 00:00:00+00');


--
-- Data for Name: authorisation_states; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.authorisation_states VALUES ('fce81733eded141f1c019dc48cc41035123e435b9280352538f8072c3ecf3d7e', 1, 'https://localhost:8721/amazon-connector/callback', '2099-01-01 00:00:00+00');


--
-- Data for Name: connections; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.connections VALUES (1, 'shop-uk', '{"advanced": {"extended_logging": false, "pagination": false, "retries": 5, "retry_wait": 3}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_role_arn": "arn:aws:iam::123456789012:role/SellingPartnerRole", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "UK", "draft_app": false, "environment": "production", "mode": "restricted", "name": "shop-uk", "redirect_uri": null, "selling_partner_id": "A2EXAMPLE12345"}', 'v1:iqrM2e3LEQX_Oit7qU7KPG-qFkauQrC06yENKjx8rkggZeM9Z-arnFgpcvRY_ab4xAdAKZEBaxNhNoB4Wg-borznfggRWbNblJztPgnG77p5w9nrZzb3CJuNCAIVg3uubXSzUuP27bodPABD', 'v1:ln7OzSpMapgTN5P9GqyubWGIWsfph0SXVGN4nIlroQGTutBTLNeYGxOTjJHvKiIZ8CY4tjQHMtN8semkybkdTYS2ADaQfYE5DTFg-RaBKhoR5U4PVp8SPNrr0XkRQGflWcxQOqH7OglkwiGvIc1KlZVrLdVAzj1_v2F6ZL7tc3UZgmCRM8EnjuDK8dpfRVVBbcFoVQcvJQOh_vEZFOY=', 'v1:50bMws3TstMRz8W911Trg98uKDfKDM0fl5yn9ewSKTf3Bd9Qp_AjS2G5jv7Je78JDo0_kJcWf2tAw43bbA-uG8ewoU8=', 1, '2026-11-20 10:00:00+00', '2026-11-20 10:00:00+00', '2026-11-20 10:00:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (2, 'shop-de', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "aws_access_key_id": null, "aws_role_arn": null, "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "DE", "draft_app": false, "environment": "production", "mode": "standard", "name": "shop-de", "redirect_uri": null, "selling_partner_id": null}', 'v1:_b3-1VbgwH7CP-6bpuaQbsgzuOxJEYmfhY0VQ8n8Qn4jZbsxfao-ae-5XTjPdjMSy6tv3fdsVm_N6rcUc65RAcklqpW5W19vSeAee5htAtJ8HV6WmZYtIEgk1LHBGvUHhAlk4vYzqeGlh-dC', NULL, NULL, 1, '2026-11-20 10:01:00+00', '2026-11-20 10:01:00+00', '2026-11-20 10:01:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (3, 'shop-fr', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "aws_access_key_id": null, "aws_role_arn": null, "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "FR", "draft_app": false, "environment": "production", "mode": "standard", "name": "shop-fr", "redirect_uri": null, "selling_partner_id": null}', 'v1:D7v-R-aJSMsTP4Em_T1qzdRYUqN1hvBTQQlDMAH2q9oU3nBBD5yNoKCHyrJv4_EJKghqMZ9TuugaSvccghzKb5Xm6Kw_6LFtx2tPmgP9EkcWSLQhp9_d0Syc2RN8TAjJeMfyNIL0MRygNEu-', NULL, NULL, 1, '2026-11-20 10:02:00+00', '2026-11-20 10:02:00+00', '2026-11-20 10:02:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (4, 'legacy', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3}, "app_id": null, "aws_access_key_id": null, "aws_role_arn": null, "client_id": null, "country": "IT", "draft_app": false, "environment": "production", "mode": "standard", "name": "legacy", "redirect_uri": null, "selling_partner_id": null}', 'v1:i1rBl24myQyeqoieYCRAEuPGalbRCC1Y8SITkGrHY9mJvflK8Dx9eRAuhxV36IunjBt0R1ki633cLjV9z2lwDjjiF4MwBK8bQzKpdTBWjrFT9meVO9Am5rSQbHmOy4YlAf2dHDwrx24E-tRn', NULL, NULL, 1, '2026-11-20 10:03:00+00', '2026-11-20 10:03:00+00', '2026-11-20 10:03:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (5, 'emulated', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3}, "app_id": null, "aws_access_key_id": null, "aws_role_arn": null, "client_id": "amzn1.application-oa2-client.fedcba9876543210fedcba9876543210", "country": "US", "draft_app": false, "environment": "http://127.0.0.1:9", "mode": "standard", "name": "emulated", "redirect_uri": null, "selling_partner_id": null}', 'v1:J-7xRrhY22s4GIBaHd6pn05hF5o7bD33VGWLXGv60ZTlKPPKZk_bFQCcblrQoOXh6-eY3UQ6uvauU0gC_97o-YiVIxuYhKBIOf_KLTeSa_wqLUwcVbP15sCbn1YcTi-sKsZs48LMCzRKRs_i', NULL, NULL, 1, '2026-11-20 10:04:00+00', '2026-11-20 10:04:00+00', '2026-11-20 10:04:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (6, 'draft', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3}, "app_id": null, "aws_access_key_id": null, "aws_role_arn": null, "client_id": null, "country": null, "draft_app": false, "environment": "production", "mode": "standard", "name": "draft", "redirect_uri": null, "selling_partner_id": null}', NULL, NULL, NULL, 1, '2026-11-20 10:05:00+00', '2026-11-20 10:05:00+00', NULL, NULL, NULL, NULL, NULL, NULL);


--
-- Data for Name: store_meta; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.store_meta VALUES ('key_check', 'v1:G6s2zHB-TlAnp2aluXcA6LtHLUrA0-WfbG0gmK3qRLiqSsdtz8wE06io1AxDDA4edKjY4Yu9');


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


