INSERT INTO public.items (id, title) VALUES (1, 'kept');
