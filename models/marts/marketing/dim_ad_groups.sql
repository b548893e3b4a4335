with

listed as (

    select * from {{ ref('int_ad_groups_unioned') }}

),

entity_months as (

    select * from {{ ref('int_marketing__performance_entity_months') }}

),

-- Kakao sets the goal on the campaign and optimises every ad group of the campaign for
-- it (int_kakao_moment__ad_groups_mapped): an inferred ad group's bidding goal too.
campaign_goals as (

    {% if var('kakao_moment__enabled') %}
        select
            'kakao_moment' as platform,
            account_id,
            campaign_id,
            campaign_goal as bidding_goal
        from {{ ref('stg_kakao_moment__campaigns') }}
    {% else %}
        select
            cast(null as {{ dbt.type_string() }}) as platform,
            cast(null as {{ dbt.type_string() }}) as account_id,
            cast(null as {{ dbt.type_string() }}) as campaign_id,
            cast(null as {{ dbt.type_string() }}) as bidding_goal
        where 1 = 0
    {% endif %}

),

-- Ad groups the performance rows name but their platform's listing lacks (Kimball's
-- inferred members): campaign and name as the rows have them (the name from Meta's
-- insights only), the rest unknown.
inferred as (

    {{ argo.inferred_members_sql(
        'entity_months', 'listed', 'ad_group', 'ad_group_id', 'ad_group_name'
    ) }}

),

ad_groups as (

    select
        platform,
        account_id,
        campaign_id,
        ad_group_id,
        ad_group_name,
        status,
        is_active,
        bidding_goal,
        created_at,
        false as is_inferred_from_performance,
        source_relation

    from listed

    union all

    select
        inferred.platform,
        inferred.account_id,
        inferred.campaign_id,
        inferred.ad_group_id,
        inferred.ad_group_name,
        cast(null as {{ dbt.type_string() }}) as status,
        false as is_active,
        campaign_goals.bidding_goal,
        cast(null as {{ dbt.type_timestamp() }}) as created_at,
        true as is_inferred_from_performance,
        inferred.source_relation

    from inferred
    left join campaign_goals
        on
            inferred.platform = campaign_goals.platform
            and inferred.account_id = campaign_goals.account_id
            and inferred.campaign_id = campaign_goals.campaign_id

)

select * from ad_groups
