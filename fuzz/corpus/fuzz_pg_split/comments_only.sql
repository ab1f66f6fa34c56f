-- only a comment
/* and /* a nested */ one */
