{#
    A row-level rule: returns every row of `model` where `expression` is false.
    Rows where it is null (a null operand) pass; test not_null separately.
#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
