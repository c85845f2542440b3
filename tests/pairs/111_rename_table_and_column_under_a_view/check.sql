SELECT title = 'kept' FROM public.titles
