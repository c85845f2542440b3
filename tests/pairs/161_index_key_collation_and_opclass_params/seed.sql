INSERT INTO public.docs (id, title) VALUES (1, 'Alpha'), (2, 'beta');
