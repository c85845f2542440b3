INSERT INTO public.documents (id, title) VALUES (1, '  Pumps  ');
