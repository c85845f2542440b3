INSERT INTO public.items (name) VALUES ('kept');
