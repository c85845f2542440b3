INSERT INTO public.events (id, at, kind) VALUES (1, '2026-05-01', 'kept'), (2, '2027-05-01', 'lost');
