import type { reports } from '../schema/index.js';
import type { Topic } from './topics.js';

type ReportKind = (typeof reports.$inferInsert)['kind'];

/**
 * Per-topic wording in both languages. Every phrase of a topic names its key term ("propaganda",
 * "пропаганда", ...) so a full-text search for the topic finds its reports in either language.
 * Placeholders: {in} is "in Tajikistan" / "в Таджикистане"; {period} is a month and year.
 */
interface TopicPhrases {
  titleEn: readonly string[];
  titleRu: readonly string[];
  en: readonly string[];
  ru: readonly string[];
}

export const TOPIC_PHRASES: Record<Topic, TopicPhrases> = {
  ONLINE_PROPAGANDA: {
    titleEn: ['online propaganda trends', 'terrorist propaganda on messaging apps', 'propaganda targeting youth online'],
    titleRu: ['пропаганда в интернете', 'террористическая пропаганда в мессенджерах', 'пропаганда среди молодёжи в сети'],
    en: [
      'Online propaganda {in} increasingly uses short videos in local languages.',
      'Monitoring units flagged new propaganda channels that re-post content removed elsewhere.',
      'The propaganda narratives exploit labour migration grievances and social isolation.',
      'Platform cooperation shortened the time propaganda stays online, though mirrors reappear within days.',
    ],
    ru: [
      'Пропаганда в интернете {in} всё чаще использует короткие видео на местных языках.',
      'Подразделения мониторинга выявили новые каналы, через которые распространяется пропаганда.',
      'Пропаганда использует трудности трудовых мигрантов и социальную изоляцию.',
      'Сотрудничество с платформами сократило время, в течение которого пропаганда остаётся доступной.',
    ],
  },
  RELIGIOUS_RADICALIZATION: {
    titleEn: ['religious radicalization pathways', 'radicalization in informal study circles', 'drivers of religious radicalization'],
    titleRu: ['пути религиозной радикализации', 'радикализация в неформальных кружках', 'факторы религиозной радикализации'],
    en: [
      'Religious radicalization {in} most often begins in informal study circles outside registered institutions.',
      'Recruiters approach young men through sports clubs and private messaging groups, accelerating radicalization.',
      'Community leaders report that radicalization slows where youth programmes are active.',
      'Returning labour migrants remain a group at risk of radicalization.',
    ],
    ru: [
      'Религиозная радикализация {in} чаще всего начинается в неформальных кружках вне зарегистрированных учреждений.',
      'Вербовщики выходят на молодых людей через спортивные клубы и закрытые чаты, ускоряя радикализацию.',
      'Лидеры общин отмечают, что радикализация замедляется там, где работают молодёжные программы.',
      'Возвращающиеся трудовые мигранты остаются группой риска радикализации.',
    ],
  },
  VIOLENT_EXTREMISM: {
    titleEn: ['violent extremism threat picture', 'disrupted violent extremist plots', 'violent extremism and local cells'],
    titleRu: ['угрозы насильственного экстремизма', 'предотвращённые экстремистские замыслы', 'насильственный экстремизм и местные ячейки'],
    en: [
      'The violent extremism threat {in} remains driven by small, loosely connected cells.',
      'Authorities disrupted several violent extremist plots at the preparation stage.',
      'Lone actors inspired online account for a growing share of violent extremism cases.',
      'Cooperation between security services limited the impact of violent extremist groups.',
    ],
    ru: [
      'Угроза насильственного экстремизма {in} по-прежнему связана с небольшими разрозненными ячейками.',
      'Власти пресекли несколько экстремистских замыслов на стадии подготовки.',
      'Растёт доля случаев экстремизма, связанных с одиночками, вдохновлёнными материалами из интернета.',
      'Сотрудничество спецслужб ограничило влияние экстремистских групп.',
    ],
  },
  FOREIGN_TERRORIST_FIGHTERS: {
    titleEn: ['returning foreign terrorist fighters', 'repatriation of fighters and families', 'foreign terrorist fighters in transit'],
    titleRu: ['возвращение иностранных боевиков-террористов', 'репатриация боевиков и их семей', 'иностранные боевики-террористы на транзитных маршрутах'],
    en: [
      'Returning foreign terrorist fighters {in} are screened, prosecuted or referred to rehabilitation.',
      'Repatriated families of foreign fighters need long-term reintegration support.',
      'Transit routes used by foreign terrorist fighters shift in response to border controls.',
      'Information exchange on foreign fighters relies on regional watch lists.',
    ],
    ru: [
      'Вернувшиеся иностранные боевики-террористы {in} проходят проверку, привлекаются к ответственности или направляются на реабилитацию.',
      'Репатриированным семьям иностранных боевиков нужна долгосрочная поддержка реинтеграции.',
      'Маршруты иностранных боевиков меняются в ответ на усиление пограничного контроля.',
      'Обмен информацией об иностранных боевиках опирается на региональные списки.',
    ],
  },
  AFGHANISTAN: {
    titleEn: ['spill-over risks from Afghanistan', 'the situation in northern Afghanistan', 'Afghanistan and regional stability'],
    titleRu: ['риски распространения угроз из Афганистана', 'ситуация на севере Афганистана', 'Афганистан и региональная стабильность'],
    en: [
      'Developments in Afghanistan shape the security outlook {in}.',
      'Armed groups in northern Afghanistan continue to recruit from Central Asian diasporas.',
      'Cross-border trade with Afghanistan creates both opportunities and smuggling risks.',
      'UNAMA reporting on Afghanistan informs the network’s regional threat assessment.',
    ],
    ru: [
      'События в Афганистане определяют ситуацию в сфере безопасности {in}.',
      'Вооружённые группы на севере Афганистана продолжают вербовку среди выходцев из Центральной Азии.',
      'Приграничная торговля с Афганистаном создаёт как возможности, так и риски контрабанды.',
      'Данные МООНСА об Афганистане используются в региональной оценке угроз.',
    ],
  },
  TERRORISM_FINANCING: {
    titleEn: ['terrorism financing typologies', 'crowdfunding and terrorism financing', 'informal transfers and terrorism financing'],
    titleRu: ['типологии финансирования терроризма', 'краудфандинг и финансирование терроризма', 'неформальные переводы и финансирование терроризма'],
    en: [
      'Terrorism financing {in} relies on small transfers through informal value transfer systems.',
      'Online crowdfunding for extremist causes is disguised as charity, complicating terrorism financing detection.',
      'Financial intelligence units exchanged typologies of terrorism financing through the network.',
      'Cash couriers remain a channel for terrorism financing across land borders.',
    ],
    ru: [
      'Финансирование терроризма {in} опирается на небольшие переводы через неформальные системы.',
      'Сборы средств в интернете маскируются под благотворительность, что затрудняет выявление финансирования терроризма.',
      'Подразделения финансовой разведки обменялись типологиями финансирования терроризма.',
      'Наличные курьеры остаются каналом финансирования терроризма через сухопутные границы.',
    ],
  },
  BORDER_SECURITY: {
    titleEn: ['border security along the southern frontier', 'border security and weapons smuggling', 'integrated border security'],
    titleRu: ['безопасность южных границ', 'безопасность границ и контрабанда оружия', 'комплексная безопасность границ'],
    en: [
      'Border security {in} faces pressure from smuggling networks along mountain sections.',
      'Seizures of weapons at crossing points point to gaps in border security cooperation.',
      'Biometric screening improved border security at the main crossing points.',
      'Joint patrols strengthened border security in remote districts.',
    ],
    ru: [
      'Безопасность границ {in} испытывает давление со стороны сетей контрабандистов на горных участках.',
      'Изъятия оружия в пунктах пропуска указывают на пробелы в сотрудничестве по безопасности границ.',
      'Биометрическая проверка повысила безопасность границ в основных пунктах пропуска.',
      'Совместное патрулирование укрепило безопасность границ в отдалённых районах.',
    ],
  },
  PRISONS_REHABILITATION: {
    titleEn: ['prison radicalization and rehabilitation', 'rehabilitation and reintegration outcomes', 'managing violent extremist prisoners'],
    titleRu: ['радикализация в местах лишения свободы и реабилитация', 'итоги реабилитации и реинтеграции', 'работа с осуждёнными экстремистами'],
    en: [
      'Rehabilitation programmes {in} combine theological counselling, education and vocational training.',
      'Prison administrations report attempts to spread extremist ideas among inmates, a risk to rehabilitation.',
      'Post-release support decides whether rehabilitation lasts.',
      'Rehabilitation completion rates vary widely between facilities.',
    ],
    ru: [
      'Программы реабилитации {in} сочетают богословские консультации, образование и профессиональное обучение.',
      'Администрации учреждений сообщают о попытках распространения экстремистских идей среди осуждённых, что угрожает реабилитации.',
      'От поддержки после освобождения зависит, будет ли реабилитация устойчивой.',
      'Доля завершивших реабилитацию сильно различается между учреждениями.',
    ],
  },
  SANCTIONS_IMPLEMENTATION: {
    titleEn: ['sanctions implementation and list screening', 'implementing the ISIL/Al-Qaida and Taliban sanctions', 'sanctions implementation gaps'],
    titleRu: ['выполнение санкций и проверка по перечням', 'выполнение санкций в отношении ИГИЛ, «Аль-Каиды» и «Талибана»', 'пробелы в выполнении санкций'],
    en: [
      'Sanctions implementation {in} depends on timely application of consolidated list updates.',
      'Financial institutions escalated possible matches against the sanctions lists for review.',
      'The Monitoring Team was briefed on sanctions implementation challenges.',
      'Travel ban and asset freeze measures under the sanctions regime were applied to listed entries.',
    ],
    ru: [
      'Выполнение санкций {in} зависит от своевременного применения изменений сводного перечня.',
      'Финансовые учреждения передали на проверку возможные совпадения с санкционными перечнями.',
      'Группа по наблюдению получила информацию о трудностях выполнения санкций.',
      'К включённым в перечень лицам применены запрет на поездки и замораживание активов в рамках санкций.',
    ],
  },
  WORKPLAN: {
    titleEn: ['network workplan progress', 'workplan priorities for the coming year', 'workplan and data exchange'],
    titleRu: ['ход выполнения плана работы сети', 'приоритеты плана работы на следующий год', 'план работы и обмен данными'],
    en: [
      'The workplan sets priorities for information exchange {in} for the coming year.',
      'Workplan activities include joint analysis, expert meetings and indicator reviews.',
      'Partners agreed to update the workplan after the regional conference.',
      'Progress on the workplan is tracked quarterly by the network secretariat.',
    ],
    ru: [
      'План работы определяет приоритеты обмена информацией {in} на предстоящий год.',
      'План работы включает совместный анализ, экспертные встречи и пересмотр индикаторов.',
      'Партнёры договорились обновить план работы после региональной конференции.',
      'Выполнение плана работы ежеквартально отслеживает секретариат сети.',
    ],
  },
};

export const KIND_LABELS: Record<ReportKind, { en: string; ru: string; sentenceEn: string; sentenceRu: string }> = {
  RESEARCH: { en: 'Research paper', ru: 'Исследование', sentenceEn: 'This research draws on interviews and open-source analysis by the group of national experts.', sentenceRu: 'Исследование основано на интервью и анализе открытых источников, проведённых группой национальных экспертов.' },
  SITUATION_ASSESSMENT: { en: 'Situation assessment', ru: 'Оценка ситуации', sentenceEn: 'The assessment covers developments during {period} and the outlook for the next quarter.', sentenceRu: 'Оценка охватывает события за {period} и прогноз на следующий квартал.' },
  INCIDENT: { en: 'Incident report', ru: 'Сообщение об инциденте', sentenceEn: 'The incident was reported to the national focal point within 24 hours.', sentenceRu: 'Об инциденте сообщено национальному координатору в течение 24 часов.' },
  CONFERENCE_SUMMARY: { en: 'Conference summary', ru: 'Итоги конференции', sentenceEn: 'Participants from member states, UN entities and regional organizations exchanged findings.', sentenceRu: 'Участники от государств-членов, структур ООН и региональных организаций обменялись выводами.' },
  WORKPLAN: { en: 'Workplan note', ru: 'Записка по плану работы', sentenceEn: 'The note lists activities, responsible partners and deadlines.', sentenceRu: 'В записке перечислены мероприятия, ответственные партнёры и сроки.' },
  BRIEFING: { en: 'Briefing', ru: 'Брифинг', sentenceEn: 'The briefing was prepared for network focal points during {period}.', sentenceRu: 'Брифинг подготовлен для координаторов сети за {period}.' },
};

export const CLOSING_EN = [
  'Sample data generated for demonstration; not an assessment of any real event.',
  'Analysts recommend continued monitoring and exchange of indicator data.',
  'Findings should be read together with the related indicator series.',
];
export const CLOSING_RU = [
  'Демонстрационные данные; не являются оценкой реальных событий.',
  'Аналитики рекомендуют продолжить мониторинг и обмен данными по индикаторам.',
  'Выводы следует рассматривать вместе с рядами соответствующих индикаторов.',
];
export const SOURCE_DESCRIPTIONS = [
  'National focal point reporting',
  'Open-source monitoring by the expert group',
  'Liaison with a regional organization',
  'Interviews with community leaders',
  'Court records and official statements',
  'Platform transparency data',
  'UNAMA field reporting',
];

export const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const MONTHS_RU = ['январь', 'февраль', 'март', 'апрель', 'май', 'июнь', 'июль', 'август', 'сентябрь', 'октябрь', 'ноябрь', 'декабрь'];
