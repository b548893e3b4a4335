{{ config(enabled=var('naver_searchad__enabled', true)) }}

{%- set source_table = source('naver_searchad', 'ads') -%}

with

source as (

    select * from {{ source_table }}

),

renamed as (

    select
        cast({{ argo.source_relation_name(source_table) }} as {{ dbt.type_string() }})
            as source_relation,
        cast(customer_id as {{ dbt.type_string() }}) as account_id,
        cast(ad_group_id as {{ dbt.type_string() }}) as ad_group_id,
        cast(ad_id as {{ dbt.type_string() }}) as ad_id,
        cast(ad_type as {{ dbt.type_string() }}) as ad_type,
        cast(headline as {{ dbt.type_string() }}) as headline,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(inspect_status as {{ dbt.type_string() }}) as inspect_status,
        cast(status as {{ dbt.type_string() }}) as naver_status,
        -- Naver's status says whether the object serves (ELIGIBLE) or why not; the
        -- advertiser's switch is userLock (on = paused), a deleted object has delFlag.
        {{ argo.naver_searchad_status('status', 'user_lock', 'deleted') }} as status,
        coalesce(status = 'ELIGIBLE', false)
        and not coalesce(user_lock, false)
        and not coalesce(deleted, false) as is_active,
        coalesce(user_lock, false) as is_locked,
        coalesce(deleted, false) as is_deleted,
        {{ argo.to_utc_timestamp('registered_at') }} as created_at,
        {{ argo.to_utc_timestamp('edited_at') }} as updated_at,
        cast(_dlt_load_id as {{ dbt.type_string() }}) as load_id,
        {{ argo.to_utc_timestamp('_loaded_at') }} as loaded_at

    from source

)

select * from renamed
