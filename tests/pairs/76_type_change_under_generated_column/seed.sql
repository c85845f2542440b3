INSERT INTO public.docs (id, title) VALUES (1, 'hello');
