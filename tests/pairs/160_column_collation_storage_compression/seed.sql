INSERT INTO public.docs (id, slug, body, meta) VALUES (1, 'b', repeat('x', 5000), '{"a": 1}'), (2, 'a', NULL, NULL);
