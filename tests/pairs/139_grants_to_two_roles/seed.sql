INSERT INTO public.documents VALUES (1, 'kept');
