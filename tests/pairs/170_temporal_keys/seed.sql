INSERT INTO public.rooms (id, valid_at, name) VALUES (1, '[2026-01-01,2026-02-01)', 'a'), (1, '[2026-02-01,2026-03-01)', 'a');
INSERT INTO public.bookings (id, room_id, valid_at) VALUES (1, 1, '[2026-01-10,2026-02-10)');
