SELECT (SELECT max(id) FROM public.events) = 3
   AND (SELECT seqtypid = 'bigint'::regtype FROM pg_sequence WHERE seqrelid = 'public.events_id_seq'::regclass)
