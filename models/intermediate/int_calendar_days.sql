{#- Every day from var('argo__calendar_start') to var('argo__calendar_end'). -#}
with

spine as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('argo__calendar_start') ~ "' as date)",
        "cast('" ~ var('argo__calendar_end') ~ "' as date)",
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from spine

)

select * from final
