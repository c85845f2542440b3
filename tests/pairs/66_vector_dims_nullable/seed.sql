INSERT INTO public.chunks (id, embedding) VALUES (1, '[1,2,3]');
