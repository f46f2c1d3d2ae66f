//! The search index on 100,000 Chinese articles: how fast it is built, and what a search and
//! a related-articles lookup cost inside the process (the index alone, without HTTP or the
//! database's summaries).
//!
//! `cargo bench --bench search_queries` seeds a database `masthead_search_bench` (kept between
//! runs; set `MASTHEAD_BENCH_DATABASE_URL` to use another) straight with SQL: articles made of
//! sentences on six topics, 500 tags and 40 categories, 10% drafts. With
//! `MASTHEAD_BENCH_CORPUS=common` it seeds `masthead_search_bench_common` instead, whose
//! articles are drawn from a vocabulary of a few hundred words, so that every keyword is
//! common. It then builds the index into `target/search-bench/<database>` through the code of
//! `masthead search reindex` (timed; `MASTHEAD_BENCH_REINDEX=1` rebuilds one that exists) and
//! times the queries. `bash benches/search_http.sh` then measures whole requests through the
//! release binary serving that index.

use std::time::{Duration, Instant};

use diesel::{
    Connection, PgConnection, RunQueryDsl, sql_query,
    sql_types::{Array, BigInt, Text, Uuid as SqlUuid},
};
use masthead::{
    db,
    search::{
        self,
        engine::{Asked, Filters, Kept, Opened, Visible},
        indexer,
    },
};
use uuid::Uuid;

const ARTICLES: i64 = 100_000;
const RUNS: usize = 40;
const SENTENCES_PER_ARTICLE: usize = 14;

/// Sentences per topic; an article is its topic's sentences in a pseudo-random order.
const TOPICS: &[(&str, &[&str])] = &[
    (
        "社会救助",
        &[
            "市民政局宣布城乡最低生活保障标准每人每月提高六十元。",
            "因病致贫的家庭申请了临时救助，街道三天内发放救助资金。",
            "民政部门对遭遇突发困难的家庭实行先救助后审批。",
            "特困人员基本生活标准再次上调，分散供养对象按月领取供养金。",
            "社会救助服务热线接到求助后，社工二十四小时内上门核实。",
            "低收入人口动态监测平台对低保边缘家庭定期排查。",
            "符合条件的困难家庭将及时纳入低保或临时救助范围。",
            "救助资金发放实行社会化发放，直接打入救助对象账户。",
        ],
    ),
    (
        "养老",
        &[
            "社区养老服务中心为周边老年人提供助餐、助浴和日间照料服务。",
            "老年食堂每天中午为八十岁以上老人提供优惠午餐。",
            "养老机构护理员参加技能比赛，比赛内容包括失能老人康复护理。",
            "区里为高龄独居老人家庭实施居家适老化改造。",
            "智慧养老平台为独居老人配备智能手环，实时监测心率。",
            "失能老人可以申请上门照护服务，费用由长期护理保险支付。",
            "养老服务补贴由财政全额承担，惠及全区老年人。",
            "居家养老服务站为老人提供助洁、助医和精神慰藉。",
        ],
    ),
    (
        "儿童福利",
        &[
            "省里提高孤儿和事实无人抚养儿童的基本生活费。",
            "儿童督导员和儿童主任走进乡村学校，为留守儿童建立关爱档案。",
            "市儿童福利院新院区设有康复训练室和特殊教育教室。",
            "儿童主任逐户走访困境儿童，帮助申请儿童生活补贴。",
            "未成年人保护工作站为儿童提供监护指导和心理疏导。",
            "残疾儿童可以在福利院接受康复治疗和学前教育。",
            "志愿者每周陪伴留守儿童读书和做游戏。",
            "儿童福利保障水平持续提升，困境儿童实现应保尽保。",
        ],
    ),
    (
        "医疗卫生",
        &[
            "县人民医院与省城三甲医院开通远程会诊系统。",
            "城乡居民医保住院报销比例提高五个百分点。",
            "乡镇卫生院组建家庭医生团队，为农村居民提供健康体检。",
            "进入流感高发季，医院增设发热门诊和儿科夜间门诊。",
            "社区卫生服务中心开设疫苗接种门诊，居民可以在线预约。",
            "高血压和糖尿病患者可以在卫生院免费领取常用药。",
            "医保经办机构推行异地就医直接结算。",
            "疾控中心提醒市民接种流感疫苗，出现发热症状及时就医。",
        ],
    ),
    (
        "旅游",
        &[
            "国庆黄金周期间主要景区接待游客一百二十万人次。",
            "草原旅游季开幕，游客可以骑马、观看那达慕表演和入住蒙古包。",
            "山区村庄发展乡村民宿，周末游客预订火爆。",
            "文化和旅游局发布十条冰雪旅游精品线路。",
            "市博物馆暑期开放夜场，游客可以在夜间参观文物展览。",
            "古城景区推出夜游项目吸引大批游客。",
            "景区新增自驾车营地和房车露营地。",
            "乡村旅游让村民在家门口吃上旅游饭。",
        ],
    ),
    (
        "贸易",
        &[
            "海关统计显示，前十个月外贸进出口总值增长百分之十二。",
            "边境口岸推行智慧通关，进出口货物通关时间缩短一半。",
            "跨境电商综合试验区吸引两百家企业入驻。",
            "中欧班列开行数量同比增长三成，运送汽车配件和电子产品。",
            "本地企业在进口博览会上签订采购协议。",
            "机电产品和农产品出口保持增势，外贸企业开拓新兴市场。",
            "海关对鲜活农产品开通绿色通道。",
            "国际物流通道为外贸企业降低运输成本。",
        ],
    ),
];

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A small deterministic generator, so every run seeds the same articles.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % below as u64) as usize
    }
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    sql_query(sql).get_result::<Count>(conn).expect("count").n
}

/// The words of every topic's sentences: the vocabulary of the `common` corpus.
fn vocabulary() -> Vec<String> {
    let mut words: Vec<String> = TOPICS
        .iter()
        .flat_map(|(_, sentences)| sentences.iter())
        .flat_map(|s| search::text::index_words(s))
        .filter(|w| w.chars().count() >= 2)
        .collect();
    words.sort();
    words.dedup();
    words
}

fn seed(conn: &mut PgConnection, common: bool) {
    if count(conn, "SELECT count(*) AS n FROM articles") >= ARTICLES {
        return;
    }
    eprintln!("seeding {ARTICLES} Chinese articles on 6 topics, 500 tags, 40 categories…");
    let started = Instant::now();
    for statement in [
        "TRUNCATE articles, categories, tags, authors CASCADE",
        "INSERT INTO categories (id, slug, name) SELECT gen_random_uuid(), 'category-' || n, '分类' || n FROM generate_series(0, 39) n",
        "INSERT INTO tags (id, slug, name) SELECT gen_random_uuid(), 'tag-' || n, '标签' || n FROM generate_series(0, 499) n",
    ] {
        sql_query(statement).execute(conn).expect("seed statement");
    }
    let mut rng = Lcg(42);
    let words = vocabulary();
    if common {
        eprintln!("every article drawn from {} words", words.len());
    }
    let batch = 2_000;
    for start in (0..ARTICLES).step_by(batch) {
        let mut titles = Vec::new();
        let mut bodies = Vec::new();
        let mut numbers = Vec::new();
        for n in start..(start + batch as i64).min(ARTICLES) {
            let (topic, sentences) = TOPICS[n as usize % TOPICS.len()];
            if common {
                let mut pick = |count: usize| -> String {
                    (0..count)
                        .map(|_| words[rng.next(words.len())].as_str())
                        .collect()
                };
                titles.push(format!("{topic} {n} {}", pick(4)));
                bodies.push(pick(120));
            } else {
                let body: String = (0..SENTENCES_PER_ARTICLE)
                    .map(|_| sentences[rng.next(sentences.len())])
                    .collect();
                let lead = sentences[rng.next(sentences.len())];
                titles.push(format!("{topic}新闻 {n}：{}", lead.trim_end_matches('。')));
                bodies.push(body);
            }
            numbers.push(n);
        }
        // Topic t's articles get tags and categories of their own range, as a real site's would.
        sql_query(
            "INSERT INTO articles (id, slug, title, excerpt, body, body_html, body_text, category_id, \
                 tag_ids, status, published_at, locale, word_count, reading_time_minutes) \
             SELECT gen_random_uuid(), 'article-' || n, title, left(body, 60), body, \
                 '<p>' || body || '</p>', body, \
                 (SELECT id FROM categories WHERE slug = 'category-' || ((n % 6) + 6 * ((n / 6) % 6))), \
                 ARRAY(SELECT id FROM tags WHERE slug IN ('tag-' || ((n % 6) * 80 + (n / 6) % 80), \
                                                         'tag-' || ((n % 6) * 80 + (n / 7) % 80))), \
                 CASE WHEN n % 10 = 0 THEN 'draft' ELSE 'published' END, \
                 CASE WHEN n % 10 = 0 THEN NULL ELSE now() - (n || ' minutes')::interval END, \
                 'zh-CN', length(body), 2 \
             FROM unnest($1::bigint[], $2::text[], $3::text[]) AS s(n, title, body)",
        )
        .bind::<Array<BigInt>, _>(&numbers)
        .bind::<Array<Text>, _>(&titles)
        .bind::<Array<Text>, _>(&bodies)
        .execute(conn)
        .expect("insert articles");
    }
    eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<58} p50 {:>7.2} ms   p95 {:>7.2} ms",
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 95 / 100])
    );
}

#[derive(diesel::QueryableByName)]
struct Sample {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Array<diesel::sql_types::Nullable<SqlUuid>>)]
    tag_ids: Vec<Option<Uuid>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<SqlUuid>)]
    category_id: Option<Uuid>,
}

fn main() {
    let common = std::env::var("MASTHEAD_BENCH_CORPUS").is_ok_and(|c| c == "common");
    let name = if common {
        "masthead_search_bench_common"
    } else {
        "masthead_search_bench"
    };
    let url = std::env::var("MASTHEAD_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("postgres://postgres@127.0.0.1:5432/{name}"));
    db::prepare(&url).expect("database ready");
    let mut conn = PgConnection::establish(&url).expect("connect");
    seed(&mut conn, common);
    sql_query("VACUUM ANALYZE articles")
        .execute(&mut conn)
        .expect("analyze");

    let dir = format!("target/search-bench/{name}");
    let exists = std::path::Path::new(&dir).join("index/meta.json").exists();
    if !exists || std::env::var_os("MASTHEAD_BENCH_REINDEX").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        let (done, seconds) = indexer::reindex(&dir, &url).expect("index built");
        println!(
            "index build: {done} articles in {seconds:.1} s = {:.0} articles/s (analysis on 2 threads, one indexing thread, {} MB writer heap)",
            done as f64 / seconds,
            masthead::search::engine::WRITER_HEAP_BYTES / 1_000_000
        );
    } else {
        println!("index: present in {dir} (MASTHEAD_BENCH_REINDEX=1 times a rebuild)");
    }
    let (index, _) = Opened::open(std::path::Path::new(&dir)).expect("index opens");
    let now = chrono::Utc::now();

    println!("\n{ARTICLES} articles; the index's part of GET /search: a page of 20 with its total");
    let queries = [
        ("养老", "one common word"),
        ("养老服务", "two words"),
        ("低保 救助 家庭", "three words"),
        ("儿童福利院", "a long word and its parts"),
        ("那达慕", "a rare word"),
        ("出口 养老", "words of two topics (few hits)"),
        ("goverment", "misspelt, nothing: fallback"),
        ("福利院康复", "partial"),
        ("yanglao", "pinyin"),
    ];
    let mut all = Vec::new();
    for (q, what) in queries {
        let terms = search::parse_query(q).expect("words");
        let mut total = 0;
        let samples: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                total = index
                    .search(
                        Asked {
                            terms: &terms,
                            raw: q,
                        },
                        Visible::Live,
                        &Filters::default(),
                        now,
                        (20, 0),
                    )
                    .expect("search")
                    .1;
                started.elapsed()
            })
            .collect();
        all.extend(samples.iter().copied());
        report(&format!("search {q:?} ({what}, {total} hits)"), samples);
    }
    report("search: all of the above", all);

    println!("\nrelated: the index's part of GET /articles/{{id}}/related");
    let sample: Vec<Sample> = sql_query(
        "SELECT id, tag_ids, category_id FROM articles WHERE status = 'published' \
         ORDER BY md5(id::text) LIMIT 200",
    )
    .load(&mut conn)
    .expect("sample");
    for limit in [6, 20] {
        let samples: Vec<Duration> = sample
            .iter()
            .map(|a| {
                let started = Instant::now();
                let kept = index.kept(a.id).expect("kept").unwrap_or_default();
                let source = Kept {
                    keywords: kept.keywords,
                    tags: a.tag_ids.iter().flatten().copied().collect(),
                    category: a.category_id,
                };
                index
                    .related(a.id, &source, &[], now, limit)
                    .expect("related");
                started.elapsed()
            })
            .collect();
        report(
            &format!("related, limit {limit} (200 random articles)"),
            samples,
        );
    }
}
