INSERT INTO public.items (id, status, history) VALUES (1, 'archived', '{draft,archived}'), (2, 'draft', '{}');
