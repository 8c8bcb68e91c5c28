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
    epoch integer NOT NULL,
    start double precision NOT NULL,
    shift double precision NOT NULL,
    issued integer NOT NULL,
    answered integer NOT NULL,
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

INSERT INTO public.access_tokens VALUES ('fixture-token-key', 'c22d4dc98f0f72e9452551bc87cc1cbe00db4e779ae1cfb21bd8a12dd39952fe', 'v1:FxrdFXNM9T75uFgjI07PsDH1irE_0OzGXED-Zl7RD8qvn4iz95-emHzG8DlW83sNqEhYwxw=', '2099-01-01 00:00:00+00');


--
-- Data for Name: authorisation_states; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.authorisation_states VALUES ('fce81733eded141f1c019dc48cc41035123e435b9280352538f8072c3ecf3d7e', 1, 'https://localhost:8721/amazon-connector/callback', 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', '2099-01-01 00:00:00+00');


--
-- Data for Name: connections; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.connections VALUES (1, 'shop-uk', '{"advanced": {"extended_logging": false, "pagination": false, "retries": 5, "retry_wait": 3, "sign_requests": false}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "UK", "draft_app": false, "environment": "production", "mode": "restricted", "name": "shop-uk", "redirect_uri": null, "selling_partner_id": "A2EXAMPLE12345"}', 'v1:dRXJPz1iG9FsbbWNQWf3n9XIaxjX8nV7Ja_BoDPLj6RO8yqj5vEYWfTQiTqtbF5KxrlfWJe6IOslpg46eHyj5vgEKfuP-_qKCTqZkiJ16bqSs4Zk8BtFr7tbY330KU13i1ZoJqDwuhTMCJAm', 'v1:fKFYDymmzkJjzoTZ2LhZqHdUkVy8wuZrNVBpHgOhHaW6XTFl5g3A9aW8ETPi_HloY5feUV4FqivmbM_TDSbcwmhkvenK2uO4nysibW6k4z2j2lHIsvUXq4GHIR4ZVVm2-Dskm0v15KAqBMeXAawTSNTrdH_9JUIQ2hl4ZIpGoIELDefjmbWbfwGq_wHovuWsD_Z5mLa_Hh1QoKsCF3Q=', 'v1:E7bCE_r3yiLMm_Zyl4zNb2epnfNCeWge1GX76jBBfE-8TUnpW21jeCsGQl4TvC8TKSt6LYaI4c_FzputhYtATdDSLTs=', 'v1:2B9j6Yeg2Pk5eRtVsI9Nxy0VlDpG4C2D3HfkORDcL1Ad2FLgtVsSLp3d1LSSG_NB', 'v1:_1sQytDbpTYYAPeWwiuc2Mw8QTgxhoiE9yCYmCBVjWBImEMlaY-Gyu2zaQx4MsgB-p-DD4Hfzcg1IL01gp64EevgjdPPaGd1oSIg15Y=', 1, '2026-11-20 10:00:00+00', '2026-11-20 10:00:00+00', '2026-11-20 10:00:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (2, 'shop-de', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "DE", "draft_app": false, "environment": "production", "mode": "standard", "name": "shop-de", "redirect_uri": null, "selling_partner_id": null}', 'v1:sPJQumvbOjNHOwHpAH1MWySOK-C-cDkpLJtdWWy72ByKvCCgbNf6_-hwLhTw3FqKYVW-jTgeqorntD4hYzt5zQa7LTGG2kiCphSNBqQCZR7A_YXh1l96C85WYR8hrZgQ-wd9z5hZXpCSAl8q', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:01:00+00', '2026-11-20 10:01:00+00', '2026-11-20 10:01:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (3, 'shop-fr', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": "amzn1.sp.solution.0f8b2c1e-1d2a-4c5b-9e8f-7a6b5c4d3e2f", "client_id": "amzn1.application-oa2-client.0123456789abcdef0123456789abcdef", "country": "FR", "draft_app": false, "environment": "production", "mode": "standard", "name": "shop-fr", "redirect_uri": null, "selling_partner_id": null}', 'v1:6oe6LMK6IL4RyVWEyOjSZG2j-K_XeZ_oSGh3AXmTcv628insO2EBPLlZGI_QrIGcKXtEJbRNB7IHLvbCGbagqR0Q0kUEFqXK2-EBoQBhPWvZWtDmwX86yQCApkDgKKxKEmI_4h1Z1x9L65Qq', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:02:00+00', '2026-11-20 10:02:00+00', '2026-11-20 10:02:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (4, 'legacy', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": null, "client_id": null, "country": "IT", "draft_app": false, "environment": "production", "mode": "standard", "name": "legacy", "redirect_uri": null, "selling_partner_id": null}', 'v1:BjVv9sZy_SVEh4FyfonV_hgyGrH4aUPkitcUXy0qKrffcZZiYYGbmcTstA1-G9L_iD513a04JQN_1pg5NmpCrpaophkD-Tg-jNlWmDWwun6eWe0sYjFvC8K8e7lzSFnbco-HMtMm7pHG53X0', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:03:00+00', '2026-11-20 10:03:00+00', '2026-11-20 10:03:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (5, 'emulated', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": null, "client_id": "amzn1.application-oa2-client.fedcba9876543210fedcba9876543210", "country": "US", "draft_app": false, "environment": "http://127.0.0.1:9", "mode": "standard", "name": "emulated", "redirect_uri": null, "selling_partner_id": null}', 'v1:fCbAzQwwdvpQ5BAb30ltDyeDVOMoN-uXIBHSIRQb1vFy1AnRuIx8xLEnsGKsXDgb6I1FuB81nbl6_6rh4OHHG9TQQuBQAtF7_FikkOhv5PBElk_CqB7upzCt0sopdG2UNZBOo10Z7xNEDZ9u', NULL, NULL, NULL, NULL, 1, '2026-11-20 10:04:00+00', '2026-11-20 10:04:00+00', '2026-11-20 10:04:00+00', NULL, NULL, NULL, NULL, NULL);
INSERT INTO public.connections VALUES (6, 'draft', '{"advanced": {"extended_logging": false, "pagination": true, "retries": 3, "retry_wait": 3, "sign_requests": false}, "app_id": null, "client_id": null, "country": null, "draft_app": false, "environment": "production", "mode": "standard", "name": "draft", "redirect_uri": null, "selling_partner_id": null}', NULL, NULL, NULL, NULL, NULL, 1, '2026-11-20 10:05:00+00', '2026-11-20 10:05:00+00', NULL, NULL, NULL, NULL, NULL, NULL);


--
-- Data for Name: rate_buckets; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.rate_buckets VALUES ('fixture-bucket', NULL, 0, 0, 0, 0, 0, 0.5);


--
-- Data for Name: store_meta; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.store_meta VALUES ('key_check', 'v1:B9HEcTRdItzPaX_kgWBpoIfhds0JnrOur7pFsyCY-1NACP7RbrfQr_GxvEDltR1k5ZQdGKwV');


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


