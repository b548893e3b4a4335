{#- Every day from var('argo__calendar_start') to var('argo__calendar_end'), both included. -#}
with

spine as (

    {{ argo.calendar_spine(var('argo__calendar_start'), var('argo__calendar_end')) }}

),

final as (

    select cast(date_day as date) as date_day
    from spine

)

select * from final
