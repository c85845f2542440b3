INSERT INTO public.documents (tenant_id, owner, title) VALUES (1, 'a', 'kept');
