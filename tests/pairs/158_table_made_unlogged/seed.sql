INSERT INTO public.cache (k, v) VALUES ('a', 'kept');
