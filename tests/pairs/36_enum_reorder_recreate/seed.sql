INSERT INTO public.items (id, status) VALUES (1, 'published'), (2, 'draft');
