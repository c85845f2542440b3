INSERT INTO public.events (id, at, kind) VALUES (1, '2026-03-01', 'a'), (2, '2026-12-31', NULL);
