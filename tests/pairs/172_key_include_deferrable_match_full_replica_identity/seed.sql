INSERT INTO public.documents (tenant_id, id, title) VALUES (1, 1, 'a');
INSERT INTO public.chunks (id, tenant_id, document_id, ordinal, slug) VALUES (1, 1, 1, 0, 'a'), (2, NULL, NULL, 0, 'b');
