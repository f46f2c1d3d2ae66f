//! The demo portal's content: the article of `../shared/seed/` with its four photos, and the
//! articles, pictures, carousels and links around it.

/// The seed article's body after its four photos.
pub const SEED_BODY: &str = include_str!("seed_body.md");
pub const SEED_TITLE: &str = "用民生“温度”标注幸福“刻度”";
/// 2023-11-16 14:48 in Asia/Shanghai.
pub const SEED_PUBLISHED_AT: &str = "2023-11-16T06:48:00Z";

pub struct Photo {
    pub key: &'static str,
    pub alt: &'static str,
    pub caption: &'static str,
    pub credit: &'static str,
    /// The picture's main colour (generated pictures stand in for the photos).
    pub hue: [u8; 3],
}

/// The four photos at the top of the seed article.
pub const SEED_PHOTOS: [Photo; 4] = [
    Photo {
        key: "story-mothers",
        alt: "志愿者为孩子们开展母亲节活动",
        caption: "科左后旗努古斯台镇“故事妈妈”志愿者到雅莫嘎查为假期无人照顾的孩子们开展母亲节活动。",
        credit: "朝鲁门 摄",
        hue: [214, 120, 96],
    },
    Photo {
        key: "health-check",
        alt: "医务工作者为居民检查身体",
        caption: "开鲁县吉日嘎郞吐镇卫生院医务工作者为居民检查身体并发放医疗暖心包。",
        credit: "胡建华 摄",
        hue: [86, 150, 204],
    },
    Photo {
        key: "calligraphy",
        alt: "社区书法爱好者参加书法活动",
        caption: "霍林郭勒市珠斯花街道哲南社区居家养老服务中心开展书法活动，吸引了社区书法爱好者的积极参与。",
        credit: "美丽 摄",
        hue: [120, 168, 98],
    },
    Photo {
        key: "cleaning",
        alt: "服务队队员为社区老人打扫卫生",
        caption: "开鲁县公安局开鲁镇派出所“巾帼红”社区服务队队员为社区老人打扫卫生。",
        credit: "王点石 摄",
        hue: [190, 70, 80],
    },
];

pub struct Category {
    pub slug: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

pub const CATEGORIES: [Category; 5] = [
    Category {
        slug: "min-sheng",
        name: "民生",
        description: "社会救助、社区治理与百姓生活",
    },
    Category {
        slug: "yi-liao-wei-sheng",
        name: "医疗卫生",
        description: "医院、护理与健康服务",
    },
    Category {
        slug: "yang-lao-fu-wu",
        name: "养老服务",
        description: "居家养老、长期护理与老年生活",
    },
    Category {
        slug: "wen-hua-lv-you",
        name: "文化旅游",
        description: "民族文化、旅游线路与交流活动",
    },
    Category {
        slug: "zhong-dian-fu-chi-xiang-mu",
        name: "重点扶持项目",
        description: "平台重点扶持的项目与进展",
    },
];

pub struct Article {
    pub title: &'static str,
    /// A category's slug.
    pub category: &'static str,
    pub tags: &'static [&'static str],
    pub excerpt: &'static str,
    pub body: &'static str,
    pub author: &'static str,
    pub published_at: &'static str,
    pub featured: bool,
    /// The cover picture's colour.
    pub hue: [u8; 3],
}

pub const SEED_TAGS: &[&str] = &["社会救助", "养老", "儿童福利", "社区治理"];
pub const SEED_EXCERPT: &str = "利民之事，丝发必兴。通辽市立足“托底线、救急难、保民生”，夯实“老有所养”服务基础、提高“弱有所扶”服务能力，持续推进社会帮扶体系建设。";

/// The other articles: the page's teasers and its related recommendations, in five categories.
pub const ARTICLES: [Article; 13] = [
    Article {
        title: "社区建起书画室 居民舞文弄墨好惬意",
        category: "min-sheng",
        tags: &["社区治理", "养老"],
        excerpt: "社区书画室开放以来，老人们每天相约挥毫泼墨，在笔墨间找到了晚年的乐趣。",
        body: "社区书画室开放以来，每天都有十几位老人相约来这里练字作画。\n\n“以前在家闲着没事，现在有了固定的去处，还认识了不少朋友。”七十二岁的李大爷说。社区还请来书法老师每周授课两次，居民的作品将在年底集中展出。",
        author: "美丽",
        published_at: "2023-11-15T02:30:00Z",
        featured: false,
        hue: [150, 110, 170],
    },
    Article {
        title: "南华医院护理团队喜获全国医院擂台赛卓越案例奖",
        category: "yi-liao-wei-sheng",
        tags: &["医疗", "护理"],
        excerpt: "南华医院护理团队以改善住院患者体验的实践案例，在全国医院擂台赛中获得卓越案例奖。",
        body: "在近日举行的全国医院擂台赛上，南华医院护理团队提交的改善住院患者体验案例获得卓越案例奖。\n\n该案例围绕夜间巡视、用药提醒和出院随访三个环节重新设计护理流程，患者满意度提高了十二个百分点。",
        author: "胡建华",
        published_at: "2023-11-14T08:00:00Z",
        featured: false,
        hue: [80, 140, 190],
    },
    Article {
        title: "阳信县人民医院举办危重症患者护理专题培训",
        category: "yi-liao-wei-sheng",
        tags: &["医疗", "护理"],
        excerpt: "一百余名护理人员参加培训，围绕危重症患者的评估、监测和急救配合展开学习。",
        body: "阳信县人民医院日前举办危重症患者护理专题培训，一百余名护理人员参加。\n\n培训邀请重症医学科专家讲解病情评估、生命体征监测和急救配合，并进行了情景模拟演练。",
        author: "胡建华",
        published_at: "2023-11-13T07:00:00Z",
        featured: false,
        hue: [70, 120, 160],
    },
    Article {
        title: "建立长期护理保险制度并扩大范围！事关安徽养老服务",
        category: "yang-lao-fu-wu",
        tags: &["养老", "护理"],
        excerpt: "安徽将建立长期护理保险制度并逐步扩大覆盖范围，减轻失能老人家庭的照护负担。",
        body: "安徽省近日印发养老服务发展文件，提出建立长期护理保险制度并逐步扩大试点范围。\n\n文件还要求加快发展居家社区养老服务，推动医养结合，让失能、半失能老人得到专业照护。",
        author: "admin",
        published_at: "2023-11-12T03:00:00Z",
        featured: true,
        hue: [200, 160, 90],
    },
    Article {
        title: "让医疗服务更高效贴心（人民时评）",
        category: "yi-liao-wei-sheng",
        tags: &["医疗"],
        excerpt: "从预约挂号到检查结果互认，医疗服务的每一处改进，都关系群众的就医体验。",
        body: "看病就医是群众最关心的事情之一。从分时段预约到检查结果互认，从床旁结算到远程会诊，医疗服务正在变得更加高效。\n\n让医疗服务更贴心，还需要在细节上下功夫，把群众的每一次就医体验放在心上。",
        author: "admin",
        published_at: "2023-11-11T01:00:00Z",
        featured: false,
        hue: [60, 160, 170],
    },
    Article {
        title: "医疗体系将迎来巨大变革？让公立医院回归公益性质呼声越来越高！",
        category: "yi-liao-wei-sheng",
        tags: &["医疗"],
        excerpt: "公立医院改革持续推进，回归公益性质成为各方共识。",
        body: "随着医药卫生体制改革不断深化，让公立医院回归公益性质的呼声越来越高。\n\n专家认为，应当完善财政投入机制，改革薪酬制度，让医生专注于诊疗本身。",
        author: "admin",
        published_at: "2023-11-10T05:00:00Z",
        featured: false,
        hue: [90, 100, 150],
    },
    Article {
        title: "持续提升医疗服务水平",
        category: "yi-liao-wei-sheng",
        tags: &["医疗"],
        excerpt: "通辽市推进优质医疗资源下沉，苏木乡镇卫生院的诊疗能力明显提升。",
        body: "通辽市持续推进优质医疗资源下沉，组织市级医院专家到苏木乡镇卫生院坐诊带教。\n\n今年以来，基层卫生院新开展适宜技术三十余项，群众在家门口就能看好常见病。",
        author: "胡建华",
        published_at: "2023-11-09T06:00:00Z",
        featured: false,
        hue: [100, 170, 140],
    },
    Article {
        title: "自治区宣讲团走进兴安盟开展宣讲",
        category: "min-sheng",
        tags: &["社区治理"],
        excerpt: "11月15日，“感党恩、听党话、跟党走”自治区宣讲团走进兴安盟和自治区政府办公厅、自治区政协机关进行宣讲。",
        body: "11月15日，“感党恩、听党话、跟党走”自治区宣讲团走进兴安盟和自治区政府办公厅、自治区政协机关进行宣讲。\n\n宣讲团成员围绕主题，从多个方面开展宣讲，听众纷纷表示深受启发。",
        author: "admin",
        published_at: "2023-11-16T02:00:00Z",
        featured: false,
        hue: [180, 60, 60],
    },
    Article {
        title: "鄂蒙携手保护传承昭君文化 推进文旅互通共融",
        category: "wen-hua-lv-you",
        tags: &["文旅", "民族团结"],
        excerpt: "自治区民委和湖北省民宗委签订战略合作协议，共同保护传承昭君文化，推进文旅互通共融。",
        body: "记者从自治区民委获悉，近日，自治区民委和湖北省民宗委签订战略合作协议，共同保护传承昭君文化，推进文旅互通共融。\n\n两地将推出“草原+三峡游”“重走昭君出塞路”等文化旅游精品线路，并组织两地中小学生开展研学互动。",
        author: "admin",
        published_at: "2023-11-16T01:00:00Z",
        featured: true,
        hue: [210, 170, 60],
    },
    Article {
        title: "科尔沁草原入冬前迎来最后一波旅游热",
        category: "wen-hua-lv-you",
        tags: &["文旅"],
        excerpt: "入冬前的科尔沁草原游客不减，民宿和农家乐的预订量同比增长三成。",
        body: "十一月的科尔沁草原已有寒意，但前来观光的游客依然不少。\n\n当地民宿和农家乐的预订量同比增长三成，不少游客专程前来体验冬季草原风光和蒙古族传统美食。",
        author: "朝鲁门",
        published_at: "2023-11-08T04:00:00Z",
        featured: false,
        hue: [120, 180, 210],
    },
    Article {
        title: "重点扶持项目：农村牧区幸福互助院改造提升",
        category: "zhong-dian-fu-chi-xiang-mu",
        tags: &["养老", "社会救助"],
        excerpt: "平台重点扶持的农村牧区幸福互助院改造项目完成第一批十二所的提升工程。",
        body: "作为平台重点扶持项目，农村牧区幸福互助院改造提升工程已完成第一批十二所互助院的改造。\n\n改造后的互助院新增了助餐点、理疗室和适老化卫生间，入住老人的生活条件明显改善。",
        author: "admin",
        published_at: "2023-11-07T03:00:00Z",
        featured: true,
        hue: [230, 140, 40],
    },
    Article {
        title: "重点扶持项目：困境儿童关爱服务站投入使用",
        category: "zhong-dian-fu-chi-xiang-mu",
        tags: &["儿童福利", "社会救助"],
        excerpt: "困境儿童关爱服务站配备专职社工，为孤儿和事实无人抚养儿童提供学业辅导和心理疏导。",
        body: "平台重点扶持的困境儿童关爱服务站日前投入使用，站内配备专职社工和儿童主任。\n\n服务站将为孤儿和事实无人抚养儿童提供学业辅导、心理疏导和假期托管服务。",
        author: "朝鲁门",
        published_at: "2023-11-06T03:00:00Z",
        featured: false,
        hue: [240, 190, 120],
    },
    Article {
        title: "通辽市临时救助资金发放实现“一门受理”",
        category: "min-sheng",
        tags: &["社会救助"],
        excerpt: "困难群众在苏木乡镇（街道）一个窗口即可申请临时救助，审批时间缩短一半。",
        body: "通辽市推行临时救助“一门受理、协同办理”，困难群众在苏木乡镇（街道）一个窗口即可提出申请。\n\n改革后，临时救助平均审批时间缩短一半，急难情形可先行救助、事后补办手续。",
        author: "admin",
        published_at: "2023-11-05T02:00:00Z",
        featured: false,
        hue: [170, 90, 120],
    },
];

/// The page behind “加入我们”.
pub const JOIN_US_TITLE: &str = "加入我们";
pub const JOIN_US_BODY: &str = "三牛平台欢迎热爱新闻、关注民生的你加入。\n\n我们正在招聘记者、编辑和摄影记者，请将简历发送至 jobs@example.com。";

pub struct Slide {
    pub title: &'static str,
    /// The index of the linked article in [`ARTICLES`], or none for the seed article.
    pub article: Option<usize>,
    pub hue: [u8; 3],
}

pub const HERO_SLIDES: [Slide; 3] = [
    Slide {
        title: "用民生“温度”标注幸福“刻度”",
        article: None,
        hue: [200, 90, 70],
    },
    Slide {
        title: "鄂蒙携手保护传承昭君文化",
        article: Some(8),
        hue: [210, 170, 60],
    },
    Slide {
        title: "农村牧区幸福互助院改造提升",
        article: Some(10),
        hue: [230, 140, 40],
    },
];

pub const FRIEND_LINKS: [(&str, &str); 2] = [
    ("中国扶贫网", "http://www.cnfpzz.com"),
    ("一带一路", "https://www.yidaiyilu.gov.cn"),
];

pub const SITE_TITLE: &str = "三牛平台";
pub const SITE_DESCRIPTION: &str = "通辽地区民生新闻与重点扶持项目";
pub const SITE_COPYRIGHT: &str = "版权所有 Copyright(C)2018-2025 首页-三牛平台";
pub const SITE_FOOTER: &str = "脚注信息";
