INSERT INTO public.tenants (id) VALUES (1);
INSERT INTO public.chunks (id, tenant_id, tokens) VALUES (1, 1, 10);
