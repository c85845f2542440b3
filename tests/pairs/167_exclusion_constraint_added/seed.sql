INSERT INTO public.booking (id, room_id, starts_at, ends_at) VALUES
  (1, 1, '2026-01-01 10:00+00', '2026-01-01 11:00+00'),
  (2, 1, '2026-01-01 11:00+00', '2026-01-01 12:00+00');
