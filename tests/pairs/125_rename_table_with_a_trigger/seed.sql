INSERT INTO public.documents (title) VALUES ('kept');
