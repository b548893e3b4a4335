{#- Every day from var('argo__calendar_start') to var('argo__calendar_end'), both included
    (dbt's date_spine stops before its end). -#}
with

spine as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('argo__calendar_start') ~ "' as date)",
        dbt.dateadd('day', 1, "cast('" ~ var('argo__calendar_end') ~ "' as date)"),
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from spine

)

select * from final
