INSERT INTO public.posts (status) VALUES ('published'), ('draft');
