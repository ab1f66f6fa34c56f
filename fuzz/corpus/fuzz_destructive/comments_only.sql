-- only a comment
/* and /* nested */ another */