with

advertisers as (

    select * from {{ ref('stg_google_sheets__advertisers') }}

),

accounts as (

    select * from {{ ref('int_accounts_assigned') }}

),

account_counts as (

    select
        advertiser_id,
        cast(sum(case when is_tracker_app then 0 else 1 end) as {{ dbt.type_bigint() }})
            as ad_account_count,
        cast(sum(case when is_tracker_app then 1 else 0 end) as {{ dbt.type_bigint() }})
            as tracker_app_count

    from accounts
    group by 1

),

-- The plan's advertisers and the one the marts report unmapped accounts and apps under.
with_unassigned as (

    select
        advertiser_id,
        advertiser_name,
        ae_name,
        ae_email,
        true as is_in_plan

    from advertisers

    union all

    select
        '{{ argo.unassigned_advertiser_id() }}' as advertiser_id,
        '{{ argo.unassigned_advertiser_name() }}' as advertiser_name,
        cast(null as {{ dbt.type_string() }}) as ae_name,
        cast(null as {{ dbt.type_string() }}) as ae_email,
        false as is_in_plan

),

final as (

    select
        with_unassigned.advertiser_id,
        with_unassigned.advertiser_name,
        with_unassigned.ae_name,
        with_unassigned.ae_email,
        with_unassigned.is_in_plan,
        coalesce(account_counts.ad_account_count, 0) as ad_account_count,
        coalesce(account_counts.tracker_app_count, 0) as tracker_app_count

    from with_unassigned
    left join account_counts
        on with_unassigned.advertiser_id = account_counts.advertiser_id

)

select * from final
