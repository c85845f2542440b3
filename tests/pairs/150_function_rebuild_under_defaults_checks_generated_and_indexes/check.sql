SELECT title_key = 'pumps' AND slug = 'untitled' FROM public.documents WHERE id = 1
