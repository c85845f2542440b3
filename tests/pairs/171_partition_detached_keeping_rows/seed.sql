INSERT INTO public.tenants (id) VALUES (1);
INSERT INTO public.events (tenant_id, at, body) VALUES (1, '2025-06-01', 'old'), (1, '2026-06-01', 'new');
