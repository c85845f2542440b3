INSERT INTO public.chunks (id, tokens, lang) VALUES (1, 10, 'en');
