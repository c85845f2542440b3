INSERT INTO public.chunks (tenant_id, embedding) VALUES (1, '[1,2,3]'), (1, '[3,2,1]'), (2, '[0,0,1]');
