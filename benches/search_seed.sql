-- 100,000 Chinese articles for the search benchmarks, written straight into PostgreSQL (loading
-- them through the API would take far longer): six topics of eight sentences, an article being
-- 14 of its topic's sentences in a random order (with `common` on, 14 of all 48 sentences, so
-- that every word, and so every keyword, is common to the whole site), 40 categories, 500
-- tags, 10% drafts. Deterministic (setseed). Run by benches/search_http.sh:
--   psql "$url" -v common=off -f benches/search_seed.sql
SET client_min_messages = warning;
DO $$ BEGIN PERFORM setseed(0.42); END $$;
TRUNCATE articles, categories, tags, authors CASCADE;
INSERT INTO categories (id, slug, name)
    SELECT gen_random_uuid(), 'category-' || n, '分类' || n FROM generate_series(0, 39) n;
INSERT INTO tags (id, slug, name)
    SELECT gen_random_uuid(), 'tag-' || n, '标签' || n FROM generate_series(0, 499) n;
CREATE TEMP TABLE topics (t int PRIMARY KEY, name text, sentences text[]);
INSERT INTO topics VALUES
    (0, '社会救助', ARRAY['市民政局宣布城乡最低生活保障标准每人每月提高六十元。', '因病致贫的家庭申请了临时救助，街道三天内发放救助资金。', '民政部门对遭遇突发困难的家庭实行先救助后审批。', '特困人员基本生活标准再次上调，分散供养对象按月领取供养金。', '社会救助服务热线接到求助后，社工二十四小时内上门核实。', '低收入人口动态监测平台对低保边缘家庭定期排查。', '符合条件的困难家庭将及时纳入低保或临时救助范围。', '救助资金发放实行社会化发放，直接打入救助对象账户。']),
    (1, '养老', ARRAY['社区养老服务中心为周边老年人提供助餐、助浴和日间照料服务。', '老年食堂每天中午为八十岁以上老人提供优惠午餐。', '养老机构护理员参加技能比赛，比赛内容包括失能老人康复护理。', '区里为高龄独居老人家庭实施居家适老化改造。', '智慧养老平台为独居老人配备智能手环，实时监测心率。', '失能老人可以申请上门照护服务，费用由长期护理保险支付。', '养老服务补贴由财政全额承担，惠及全区老年人。', '居家养老服务站为老人提供助洁、助医和精神慰藉。']),
    (2, '儿童福利', ARRAY['省里提高孤儿和事实无人抚养儿童的基本生活费。', '儿童督导员和儿童主任走进乡村学校，为留守儿童建立关爱档案。', '市儿童福利院新院区设有康复训练室和特殊教育教室。', '儿童主任逐户走访困境儿童，帮助申请儿童生活补贴。', '未成年人保护工作站为儿童提供监护指导和心理疏导。', '残疾儿童可以在福利院接受康复治疗和学前教育。', '志愿者每周陪伴留守儿童读书和做游戏。', '儿童福利保障水平持续提升，困境儿童实现应保尽保。']),
    (3, '医疗卫生', ARRAY['县人民医院与省城三甲医院开通远程会诊系统。', '城乡居民医保住院报销比例提高五个百分点。', '乡镇卫生院组建家庭医生团队，为农村居民提供健康体检。', '进入流感高发季，医院增设发热门诊和儿科夜间门诊。', '社区卫生服务中心开设疫苗接种门诊，居民可以在线预约。', '高血压和糖尿病患者可以在卫生院免费领取常用药。', '医保经办机构推行异地就医直接结算。', '疾控中心提醒市民接种流感疫苗，出现发热症状及时就医。']),
    (4, '旅游', ARRAY['国庆黄金周期间主要景区接待游客一百二十万人次。', '草原旅游季开幕，游客可以骑马、观看那达慕表演和入住蒙古包。', '山区村庄发展乡村民宿，周末游客预订火爆。', '文化和旅游局发布十条冰雪旅游精品线路。', '市博物馆暑期开放夜场，游客可以在夜间参观文物展览。', '古城景区推出夜游项目吸引大批游客。', '景区新增自驾车营地和房车露营地。', '乡村旅游让村民在家门口吃上旅游饭。']),
    (5, '贸易', ARRAY['海关统计显示，前十个月外贸进出口总值增长百分之十二。', '边境口岸推行智慧通关，进出口货物通关时间缩短一半。', '跨境电商综合试验区吸引两百家企业入驻。', '中欧班列开行数量同比增长三成，运送汽车配件和电子产品。', '本地企业在进口博览会上签订采购协议。', '机电产品和农产品出口保持增势，外贸企业开拓新兴市场。', '海关对鲜活农产品开通绿色通道。', '国际物流通道为外贸企业降低运输成本。']);
CREATE TEMP TABLE every_sentence AS SELECT array_agg(s) AS sentences FROM topics, unnest(sentences) s;
-- The change log's triggers would record 100,000 creations: not what is measured here.
ALTER TABLE articles DISABLE TRIGGER USER;
INSERT INTO articles (id, slug, title, excerpt, body, body_html, body_text, category_id, tag_ids,
        status, published_at, locale, word_count, reading_time_minutes)
SELECT gen_random_uuid(), 'article-' || n, title, left(body, 60), body, '<p>' || body || '</p>',
    body, (SELECT id FROM categories WHERE slug = 'category-' || ((n % 6) + 6 * ((n / 6) % 6))),
    ARRAY(SELECT id FROM tags WHERE slug IN ('tag-' || ((n % 6) * 80 + (n / 6) % 80),
                                            'tag-' || ((n % 6) * 80 + (n / 7) % 80))),
    CASE WHEN n % 10 = 0 THEN 'draft' ELSE 'published' END,
    CASE WHEN n % 10 = 0 THEN NULL ELSE now() - (n || ' minutes')::interval END,
    'zh-CN', length(body), 2
FROM generate_series(0, 99999) n
JOIN topics ON topics.t = n % 6
CROSS JOIN every_sentence e
CROSS JOIN LATERAL (
    SELECT CASE WHEN :'common' = 'on' THEN e.sentences ELSE topics.sentences END AS pool
) p
CROSS JOIN LATERAL (
    SELECT string_agg(p.pool[1 + floor(random() * array_length(p.pool, 1))::int + 0 * g], '') AS body
    FROM generate_series(1, 14) g
) b
CROSS JOIN LATERAL (
    SELECT topics.name || '新闻 ' || n || '：'
        || rtrim(p.pool[1 + floor(random() * array_length(p.pool, 1))::int], '。') AS title
) h;
ALTER TABLE articles ENABLE TRIGGER USER;
VACUUM ANALYZE articles;
