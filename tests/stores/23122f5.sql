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

INSERT INTO public.access_tokens VALUES ('fixture-token-key', 'c22d4dc98f0f72e9452551bc87cc1cbe00db4e779ae1cfb21bd8a12dd39952fe', 'v1:niqbUoAXSVn43WNVwn62XKEkXGd6M1YRJ7h3OL2c1GbJRaXAzKgQKNoLt5lSkqpmc1eBZgc=', '2099-01-01 00:00:00+00');


--
-- Data for Name: authorisation_states; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.authorisation_states VALUES ('fce81733eded141f1c019dc48cc41035123e435b9280352538f8072c3ecf3d7e', 1, 'https://localhost:8721/amazon-connector/callback', 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', '2099-01-01 00:00:00+00');


--
-- Data for Name: connections; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.connections VALUES (1, 'shop-uk', '{"advanced": {"extended_logging": false, "pagination": false, "retries": 5, "retry_wait": 3}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "UK", "draft_app": false, "environment": "production", "mode": "restricted", "name": "shop-uk", "redirect_uri": null, "selling_partner_id": "A2EXAMPLE12345"}', 'v1:L03i_xfwnfyohPPdmatGQoYGrrcOMyMBDp6Ee5dVsBPoWeLzxxIP4R35jU3e1MhpTaMqq2lSRf2Jdu4tnqwMP-Y5LJhVyisbv3OtvpnRFRx6BQIRuoV7_1kwUNT4dzZXt_hhbaweq11Vxkl_', 'v1:CeWtR48EbZgXjnfcR_o3pVA4PSOKo5aZPtZhHQhwjQdb4XBnR1smGRlO7SwQco8A0LYNOBjxIs6fCJSAwfc3jUH7ggS6dZc4CmnOsidpAUIf5wC88DJLBAB-1sNmOQt4WeMfVnoL2yXW_9mgrzJhmJ8aV_chgPnwrgxVQ9sc8Pimzh8uxIZPid3lQYky-v3hkemrphyebTh3NxyAmxw=', 'v1:1YuEBaOFibHp235g2FTbv1gCkcg7c9nsc1xypsaD2NHJ01hS5w4mXeR8cbvMv5lXdShrpQHin5aJ1Mn_fkL8f8GiTSU=', 'v1:uFp-kCzR4s4U1ECTmsl3oZkwBJ_ka7L2CUs9OT2A4VYwiEQSDf5RLVe_xNAxsu0x', 'v1:riwljRW54Yonh0afRsTk0YPkYWQyltik7d7TSDoTn25iAILHVMCYUnWWUCv1maRL2QafZoAu3gvjH0aQ_9A8RdNPJDBcWKB91hpRerw=', 1, '2026-11-20 10:00:00+00', '2026-11-20 10:00:00+00', '2026-11-20 10:00:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (2, 'shop-de', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "DE", "draft_app": false, "environment": "production", "mode": "standard", "name": "shop-de", "redirect_uri": null, "selling_partner_id": null}', 'v1:o0Pcc1oFEjWVz6jxgpl-045og1kal_e3Wq0bRwAQPS6DTxBHTGUiCWCGcYSmsOslH6mlkmD5qJZLyY8Oq4z_UiyqTGqZS8konktYQPO0sNQk1Apxb6TYzWkdJeXUuUZDHC8jzHs42DB5hImw', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:01:00+00', '2026-11-20 10:01:00+00', '2026-11-20 10:01:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (3, 'shop-fr', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "FR", "draft_app": false, "environment": "production", "mode": "standard", "name": "shop-fr", "redirect_uri": null, "selling_partner_id": null}', 'v1:E3teCB3vwoO3w6P0JdID4lsUZNKzyCYb78635XYjtanOVHge9ayHWgz_-XkEklCf5IFdtBIPr0Fvz-S-2Nig2kIf7SjAeMJ2VcT8C4Ncwp2O44adEjMPdZomKqNFoGMAVpr_jyN6A2p53CJs', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:02:00+00', '2026-11-20 10:02:00+00', '2026-11-20 10:02:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (4, 'legacy', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3}, "app_id": null, "client_id": null, "country": "IT", "draft_app": false, "environment": "production", "mode": "standard", "name": "legacy", "redirect_uri": null, "selling_partner_id": null}', 'v1:eEZ25yKTjpMkhe5w5UCnhhdQFtoGhq4cnaRNKMl-vdDMzk0If_03v5JvpVsQ9GiVIH49CfvW4qw_hj2DirgVTzimqWXZZQlJXgaccnPWW5t2uQiss_3dv50bYqka5HCSqTb27866OwMjHKbp', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:03:00+00', '2026-11-20 10:03:00+00', '2026-11-20 10:03:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (5, 'emulated', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3}, "app_id": null, "client_id": "amzn1.application-oa2-client.fedcba9876543210fedcba9876543210", "country": "US", "draft_app": false, "environment": "http://127.0.0.1:9", "mode": "standard", "name": "emulated", "redirect_uri": null, "selling_partner_id": null}', 'v1:TNFtuzi6bRUhdPuRl2PeXPtXNcJf2n4GoEx6gEBNMtSLTePc0DIUXYTHZVW1A9ECcxKa4bJmOyP6l0mvvFZcw14ZSzbmbODYxH0JzcmoldeAzP61R4cFH2cw6XctISNPBJOJmNZjKGT2iZhi', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:04:00+00', '2026-11-20 10:04:00+00', '2026-11-20 10:04:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (6, 'draft', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3}, "app_id": null, "client_id": null, "country": null, "draft_app": false, "environment": "production", "mode": "standard", "name": "draft", "redirect_uri": null, "selling_partner_id": null}', NULL, NULL, NULL, NULL, NULL, 1, '2026-11-20 10:05:00+00', '2026-11-20 10:05:00+00', NULL, NULL, NULL, NULL, NULL, NULL);


--
-- Data for Name: store_meta; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.store_meta VALUES ('key_check', 'v1:pnYBFvydMgTafKSwnsPKGlHo-rILrOFLp2SsEpYKN-Xqox3-BKbPF2vsiSgO2C8NNcKmZPO-');


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


