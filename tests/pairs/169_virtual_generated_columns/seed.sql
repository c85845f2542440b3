INSERT INTO public.chunks (id, tokens, label) VALUES (1, 10, 'a');
