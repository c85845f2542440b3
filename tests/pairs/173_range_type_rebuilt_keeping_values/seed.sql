INSERT INTO public.slots (id, span) VALUES (1, '[1.5,2.5)'), (2, NULL);
