INSERT INTO public.documents (title, updated_at) VALUES ('kept', '2000-01-01');
