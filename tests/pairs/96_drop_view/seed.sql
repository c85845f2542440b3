INSERT INTO public.documents (tenant_id, title) VALUES (1, 'kept');
