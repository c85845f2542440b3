INSERT INTO public.booking (id, room_id, during) VALUES (1, 1, '[2026-01-01, 2026-01-02)'), (2, 2, '[2026-01-01, 2026-01-02)');
