package handlers

import (
	"github.com/qingchuan/xfbot"
	"github.com/qingchuan/xfbot/bot"
)

// memberRefusal is what a non-admin reads for 成员 添加/移除/职务.
const memberRefusal = "只有专班管理员可以管理成员。"

// Register puts every command and card action in the mux: the one routing
// table. 帮助 and usage errors are generated from it.
func Register(mux *bot.Mux, h *Handlers) {
	h.mux = mux
	const cases, deadlines, people, other = "案件", "期限与提醒", "人员与分工", "其他"
	const receptions = "接访与来信"
	const procedure = "程序（受理、答复、复查、复核）"
	const strategy = "参谋部（方案、会诊）"
	const reports = "统计与导出"
	const supervise = "督战队（督查）"
	for _, r := range []bot.Route{
		{Verb: "新建", Aliases: []string{"new", "登记"}, Section: cases, Write: true, Handler: bot.HandlerFunc(h.create),
			Args:    "<标题> [类别:x 属地:x 单位:x 信访人:x 电话:x 身份证:x 受理:日期 期限:日期 性质:x 接访:JF-编号]",
			Summary: "登记新案件，回复案件号；默认办结期限为受理后 60 日；接访时当场登记的写 接访:编号，包案领导默认为接访领导；电话、身份证号只在私聊中登记",
			Example: "新建 桂园社区回迁安置房延期交付 类别:征地拆迁 属地:云溪街道 单位:区住建局 信访人:张某某 受理:2026-03-16"},
		{Verb: "查看", Aliases: []string{"show", "查"}, Section: cases, Case: true, Handler: bot.HandlerFunc(h.show),
			Args: "<案件号>", Summary: "查看案件卡片", Example: "查看 XF-2026-0012"},
		{Verb: "进展", Aliases: []string{"progress"}, Section: cases, Case: true, Write: true, Handler: h.addEntry(xfbot.KindProgress, "进展 XF-2026-0012 已与开发商约谈，4月底前交房"),
			Args: "<案件号> <内容>", Summary: "记录一条进展", Example: "进展 XF-2026-0012 已与开发商约谈，4月底前交房"},
		{Verb: "下访", Aliases: []string{"visit", "接谈"}, Section: cases, Case: true, Write: true, Handler: h.addEntry(xfbot.KindVisit, "下访 XF-2026-0012 上门走访，信访人情绪平稳，同意等待评估结果"),
			Args: "<案件号> <记录>", Summary: "记录一次下访、接谈", Example: "下访 XF-2026-0012 上门走访，信访人情绪平稳，同意等待评估结果"},
		{Verb: "列表", Aliases: []string{"list"}, Section: cases, Handler: bot.HandlerFunc(h.list),
			Args: "[逾期|临期|我的|包保|全部|稳控|已化解|已销号|单位:x|属地:x]", Summary: "按期限列出案件", Example: "列表 逾期"},
		{Verb: "我的", Aliases: []string{"mine"}, Section: cases, Handler: bot.HandlerFunc(h.mine),
			Summary: "我包案（领导：包保）的在办案件", Example: "我的"},
		{Verb: "甄别", Aliases: []string{"screen"}, Section: cases, Case: true, Write: true, Handler: bot.HandlerFunc(h.screen),
			Args: "<案件号> 合理|部分合理|无理|过度 [困难]", Summary: "记录诉求甄别结果", Example: "甄别 XF-2026-0012 部分合理 困难"},
		{Verb: "化解", Aliases: []string{"resolve"}, Section: cases, Case: true, Write: true, Handler: h.transition(xfbot.StatusResolved),
			Args: "<案件号> <结果>", Summary: "案结事了，记录化解结果", Example: "化解 XF-2026-0012 已签订息诉罢访协议"},
		{Verb: "稳控", Aliases: []string{"monitor"}, Section: cases, Case: true, Write: true, Handler: h.transition(xfbot.StatusMonitoring),
			Args: "<案件号> [说明]", Summary: "一时不能解决的，转属地稳控", Example: "稳控 XF-2026-0012 属地街道落实联系人"},
		{Verb: "销号", Aliases: []string{"close"}, Section: cases, Case: true, Write: true, Admin: true, Handler: h.transition(xfbot.StatusClosed),
			Args: "<案件号> [提前销号的理由]", Summary: "已化解的案件台账销号（管理员）：化解后观察期满且回访过；提前销号须写理由", Example: "销号 XF-2026-0012"},
		{Verb: "重开", Aliases: []string{"reopen"}, Section: cases, Case: true, Write: true, Admin: true, Handler: h.transition(xfbot.StatusHandling),
			Args: "<案件号> <理由>", Summary: "重新办理（管理员）", Example: "重开 XF-2026-0012 信访人以新的事实再次反映"},
		{Verb: "历史", Aliases: []string{"history"}, Section: cases, Case: true, Handler: bot.HandlerFunc(h.history),
			Args: "<案件号>", Summary: "全部变更：谁、何时、由什么改成什么", Example: "历史 XF-2026-0012"},

		{Verb: "标签", Aliases: []string{"tag"}, Section: cases, Case: true, Write: true, Handler: bot.HandlerFunc(h.tags),
			Args: "<案件号> <积案|重点|骨头案|钉子案|三老|重复信访|越级访 ...>|无", Summary: "设定标签（积案、重点案件有久未接触提醒）", Example: "标签 XF-2026-0012 积案 重点"},

		// The procedure track (程序): 受理 → 答复 → 复查 → 复核 → 终结, beside the
		// resolution track above. (*Case).Transition decides each step. The
		// unit may record its own 答复; a 复查/复核 decision is the higher
		// authority's, recorded by the task force (Staff).
		{Verb: "受理", Aliases: []string{"accept"}, Section: procedure, Case: true, Write: true, Staff: true, Handler: h.step(xfbot.StepAccept),
			Args: "<案件号> [日期]", Summary: "受理待受理的案件（收到后 15 日内告知），办结期限从受理日起算 60 日", Example: "受理 XF-2026-0012 3月12日"},
		{Verb: "不予受理", Aliases: []string{"notaccept"}, Section: procedure, Case: true, Write: true, Staff: true, Handler: h.step(xfbot.StepNotAccept),
			Args: "<案件号> <理由>", Summary: "不予受理并已书面告知", Example: "不予受理 XF-2026-0012 已复核终结，以同一事实和理由再次提出"},
		{Verb: "转送", Aliases: []string{"forward"}, Section: procedure, Case: true, Write: true, Staff: true, Handler: h.step(xfbot.StepForward),
			Args: "<案件号> <机关>", Summary: "转送有权处理的机关", Example: "转送 XF-2026-0012 市人社局"},
		{Verb: "导入", Aliases: []string{"legalroute"}, Section: procedure, Case: true, Write: true, Staff: true, Handler: h.step(xfbot.StepLegalRoute),
			Args: "<案件号> <程序>", Summary: "导入诉讼、仲裁、行政复议等法定程序", Example: "导入 XF-2026-0012 劳动仲裁"},
		{Verb: "答复", Aliases: []string{"reply"}, Section: procedure, Case: true, Write: true, Handler: h.step(xfbot.StepReply),
			Args: "<案件号> <支持|部分支持|不支持|解释说明> [日期] [送达:日期]", Summary: "出具处理意见书；送达后 30 日内可申请复查", Example: "答复 XF-2026-0012 部分支持 4月15日 送达:4月16日"},
		{Verb: "复查", Aliases: []string{"review"}, Section: procedure, Summary: "复查：申请（送达后 30 日内，逾期的登记为逾期申请）与答复（30 日内）", Subs: []bot.Route{
			{Verb: "申请", Aliases: []string{"request"}, Case: true, Write: true, Staff: true, Handler: h.step(xfbot.StepReviewRequest),
				Args: "<案件号> [日期]", Summary: "登记复查申请", Example: "复查 申请 XF-2026-0012 5月6日"},
			{Verb: "答复", Aliases: []string{"reply"}, Case: true, Write: true, Staff: true, Handler: h.step(xfbot.StepReviewReply),
				Args: "<案件号> <维持|变更|撤销> [日期] [送达:日期]", Summary: "复查意见", Example: "复查 答复 XF-2026-0012 维持 5月29日 送达:6月1日"},
		}},
		{Verb: "复核", Aliases: []string{"recheck"}, Section: procedure, Summary: "复核：申请（复查意见送达后 30 日内）与答复（30 日内，听证不计入；复核后终结）", Subs: []bot.Route{
			{Verb: "申请", Aliases: []string{"request"}, Case: true, Write: true, Staff: true, Handler: h.step(xfbot.StepRecheckRequest),
				Args: "<案件号> [日期]", Summary: "登记复核申请", Example: "复核 申请 XF-2026-0012 6月20日"},
			{Verb: "答复", Aliases: []string{"reply"}, Case: true, Write: true, Staff: true, Handler: h.step(xfbot.StepRecheckReply),
				Args: "<案件号> <维持|变更|撤销> [日期] [送达:日期]", Summary: "复核意见：程序终结，同一事实和理由不再受理", Example: "复核 答复 XF-2026-0012 维持"},
		}},
		{Verb: "终结", Aliases: []string{"conclude"}, Section: procedure, Case: true, Write: true, Staff: true, Handler: h.step(xfbot.StepConclude),
			Args: "<案件号>", Summary: "答复或复查意见送达后，申请期届满未申请的，程序办结", Example: "终结 XF-2026-0012"},
		{Verb: "回访", Aliases: []string{"followup"}, Section: procedure, Case: true, Write: true, Staff: true, Handler: bot.HandlerFunc(h.followUp),
			Args: "<案件号> <记录>", Summary: "化解后回访；观察期（默认 30 天）满后有一次回访才能销号", Example: "回访 XF-2026-0012 电话回访，信访人对处理结果满意，未再信访"},
		// 一案一策 (plans.go). 方案 措施 is a contract: the 会诊 feature runs
		// exactly this text for a consultation's decision.
		{Verb: "方案", Aliases: []string{"plan", "一案一策"}, Section: strategy, Summary: "一案一策：起草方案、添加硬手段和软措施、按甄别结果检查（三到位一处理）、提交、由负责人或包案领导批准或退回；批准后措施转为期限，负责人收到提醒并登记完成；批准后再修改生成新版本", Subs: []bot.Route{
			{Verb: "起草", Aliases: []string{"修改", "draft", "edit"}, Case: true, Write: true, Handler: bot.HandlerFunc(h.planDraft),
				Args:    "<案件号> 症结:… 依据:… 目标:… 目标日:日期 [帮扶:…] [关联:XF-…,XF-…]",
				Summary: "起草或修改方案（可只写其中几项，再次发送补充）；关联:写同一信访人的其他案件，即一人一策；已批准的方案修改后生成新版本",
				Example: planDraftExample},
			{Verb: "措施", Aliases: []string{"measure", "add"}, Case: true, Write: true, Handler: bot.HandlerFunc(h.planMeasure),
				Args:    "<案件号> <硬|软>:<类型> <内容> [单位:x] [负责人:@人] [期限:日期]",
				Summary: "添加一项措施（没有方案时起草一份）：硬手段 法律 政策 经济 行政，软措施 教育 协商 调解 疏导；未 @ 负责人的由责任单位联络员负责，没有联络员的由包案人负责",
				Example: planMeasureExample},
			{Verb: "查看", Aliases: []string{"show", "view"}, Case: true, Handler: bot.HandlerFunc(h.planShow),
				Args: "<案件号> [v1|v2…]", Summary: "查看方案及全部措施（可看旧版本）", Example: "方案 查看 XF-2026-0012"},
			{Verb: "案件", Aliases: []string{"case"}, Fallback: true, Handler: bot.HandlerFunc(h.planFallback),
				Args: "<案件号> [v1|v2…]", Summary: "同“方案 查看”", Example: "方案 XF-2026-0012"},
			{Verb: "检查", Aliases: []string{"check"}, Case: true, Handler: bot.HandlerFunc(h.planCheck),
				Args: "<案件号>", Summary: "按甄别结果检查方案：合理/部分合理须有解决问题的硬手段，无理/过度须有教育或疏导，困难诉求须有帮扶", Example: "方案 检查 XF-2026-0012"},
			{Verb: "提交", Aliases: []string{"submit"}, Case: true, Write: true, Handler: bot.HandlerFunc(h.planSubmit),
				Args: "<案件号>", Summary: "检查通过后提交，专班负责人和包案领导收到审定卡片", Example: "方案 提交 XF-2026-0012"},
			{Verb: "批准", Aliases: []string{"审定", "approve"}, Case: true, Write: true, Refusal: approveRefusal, Handler: bot.HandlerFunc(h.planApprove),
				Args: "<案件号>", Summary: "批准方案（专班负责人或包案领导）：措施转为期限并提醒负责人，旧版本保留", Example: "方案 批准 XF-2026-0012"},
			{Verb: "退回", Aliases: []string{"reject", "return"}, Case: true, Write: true, Refusal: approveRefusal, Handler: bot.HandlerFunc(h.planReject),
				Args: "<案件号> <理由>", Summary: "退回方案修改（专班负责人或包案领导），起草人收到理由", Example: planRejectExample},
			{Verb: "完成", Aliases: []string{"done"}, Write: true, Handler: bot.HandlerFunc(h.planDone),
				Args: "<案件号> <措施序号> <完成情况>", Summary: "登记措施完成（措施负责人或专班成员）", Example: planDoneExample},
			{Verb: "列表", Aliases: []string{"list"}, Bare: true, Handler: bot.HandlerFunc(h.planList),
				Summary: "待批准的方案和我负责的措施", Example: "方案 列表"},
		}},
		{Verb: "期限", Aliases: []string{"due"}, Section: deadlines, Case: true, Write: true, Admin: true, Refusal: dueRefusal, Handler: bot.HandlerFunc(h.setDue),
			Args: "<案件号> <日期> [重新受理|内部化解目标] <理由>", Summary: "设定办结期限（负责人）：须写理由，不得早于受理日、不得超过法定最长期限（受理后 60 日加一次最多 30 日延期），重新受理或内部化解目标须注明",
			Example: "期限 XF-2026-0012 2026-05-15 经评估需等待鉴定结论"},
		{Verb: "延期", Aliases: []string{"extend"}, Section: deadlines, Case: true, Write: true, Handler: bot.HandlerFunc(h.extend),
			Args: "<案件号> <天数> <理由>", Summary: "申请延期一次，最多 30 天，须在到期前；负责人批准后生效（负责人本人发送即生效）", Example: "延期 XF-2026-0012 20 需第三方评估，已告知信访人"},
		{Verb: "批准延期", Aliases: []string{"approve"}, Section: deadlines, Case: true, Write: true, Admin: true, Refusal: "延期申请由专班负责人批准。", Handler: bot.HandlerFunc(h.approveExtension),
			Args: "<案件号>", Summary: "批准待审的延期申请（负责人）", Example: "批准延期 XF-2026-0012"},
		{Verb: "驳回延期", Aliases: []string{"reject"}, Section: deadlines, Case: true, Write: true, Admin: true, Refusal: "延期申请由专班负责人审批。", Handler: bot.HandlerFunc(h.rejectExtension),
			Args: "<案件号> [理由]", Summary: "驳回待审的延期申请（负责人），申请人会收到通知", Example: "驳回延期 XF-2026-0012 理由不充分，请按期办结"},
		{Verb: "暂停计时", Aliases: []string{"pause"}, Section: deadlines, Case: true, Write: true, Staff: true, Handler: bot.HandlerFunc(h.pause),
			Args: "<案件号> <理由>", Summary: "听证、鉴定等期间暂停计时，不计入期限", Example: "暂停计时 XF-2026-0012 组织听证"},
		{Verb: "恢复计时", Aliases: []string{"resume"}, Section: deadlines, Case: true, Write: true, Staff: true, Handler: bot.HandlerFunc(h.resume),
			Args: "<案件号> [说明]", Summary: "恢复计时，期限顺延暂停的天数", Example: "恢复计时 XF-2026-0012 听证结束"},
		{Verb: "提醒", Aliases: []string{"reminders"}, Section: deadlines, Summary: "我的临期、超期提醒及升级情况", Subs: []bot.Route{
			{Verb: "查看", Aliases: []string{"list", "show"}, Bare: true, Handler: bot.HandlerFunc(h.reminders),
				Summary: "我的临期、超期提醒及升级情况（负责人还有待审批的延期申请）", Example: "提醒 查看"},
		}},
		{Verb: "确认", Aliases: []string{"ack"}, Section: deadlines, Case: true, Write: true, Handler: bot.HandlerFunc(h.ack),
			Args: "<案件号>", Summary: "确认已阅提醒，停止超期升级", Example: "确认 XF-2026-0012"},

		{Verb: "指派", Aliases: []string{"assign"}, Section: people, Case: true, Write: true, Handler: h.assign(false),
			Args: "<案件号> @人", Summary: "指定包案人", Example: "指派 XF-2026-0012 @张三"},
		{Verb: "包保", Aliases: []string{"leader"}, Section: people, Case: true, Write: true, Handler: h.assign(true),
			Args: "<案件号> @领导", Summary: "指定包案领导", Example: "包保 XF-2026-0012 @周某"},
		{Verb: "单位", Aliases: []string{"unit"}, Section: people, Case: true, Write: true, Handler: h.setPlace(false),
			Args: "<案件号> <主责单位>", Summary: "设定主责单位", Example: "单位 XF-2026-0012 区住建局"},
		{Verb: "属地", Aliases: []string{"area"}, Section: people, Case: true, Write: true, Handler: h.setPlace(true),
			Args: "<案件号> <街镇>", Summary: "设定属地街镇", Example: "属地 XF-2026-0012 云溪街道"},
		{Verb: "成员", Aliases: []string{"member", "members"}, Section: people, Summary: "管理成员与角色（添加、移除、职务限管理员）", Subs: []bot.Route{
			{Verb: "添加", Aliases: []string{"加入", "add"}, Admin: true, Write: true, Refusal: memberRefusal, Handler: bot.HandlerFunc(h.memberAdd),
				Args: "@人 <角色> [单位]", Summary: "添加成员或改变角色；联络员写所在单位，专班成员可写派出单位", Example: "成员 添加 @王某 联络员 区住建局"},
			{Verb: "移除", Aliases: []string{"删除", "remove"}, Admin: true, Write: true, Refusal: memberRefusal, Handler: bot.HandlerFunc(h.memberRemove),
				Args: "@人", Summary: "移除成员", Example: "成员 移除 @王某"},
			{Verb: "列表", Aliases: []string{"list"}, Bare: true, Handler: bot.HandlerFunc(h.memberList),
				Summary: "按角色列出成员", Example: "成员 列表"},
			{Verb: "职务", Aliases: []string{"title"}, Admin: true, Write: true, Refusal: memberRefusal, Handler: bot.HandlerFunc(h.memberTitle),
				Args: "@人 <职务> [分管工作]", Summary: "领导的职务和分管工作，用于接访公示", Example: "成员 职务 @周某 副区长 城建、信访"},
		}},

		{Verb: "接访", Aliases: []string{"reception"}, Section: receptions, Summary: "领导接访：安排、改期、取消、排班表、接访记录、约访、统计与公示", Subs: []bot.Route{
			{Verb: "安排", Aliases: []string{"schedule"}, Staff: true, Write: true, Handler: bot.HandlerFunc(h.receptionSchedule),
				Args: "@领导 <日期> [上午|下午|全天] [地点] [定点|约访|下访|视频]", Summary: "安排领导接访，生成接访编号，并告知领导",
				Example: "接访 安排 @周某 4月1日 上午 区群众来访接待中心 定点接访"},
			{Verb: "改期", Aliases: []string{"reschedule"}, Staff: true, Write: true, Handler: bot.HandlerFunc(h.receptionReschedule),
				Args: "<接访编号> <日期> [上午|下午|全天] [地点]", Summary: "改期：原接访保留为已改期，指向新编号", Example: "接访 改期 JF-2026-0001 4月8日 下午"},
			{Verb: "取消", Aliases: []string{"cancel"}, Staff: true, Write: true, Handler: bot.HandlerFunc(h.receptionCancel),
				Args: "<接访编号> [理由]", Summary: "取消接访，领导会收到通知", Example: "接访 取消 JF-2026-0001 领导临时外出开会"},
			{Verb: "本月", Aliases: []string{"this"}, Bare: true, Handler: h.receptionMonth(false),
				Summary: "本月接访排班表", Example: "接访 本月"},
			{Verb: "下月", Aliases: []string{"next"}, Handler: h.receptionMonth(true),
				Summary: "下月接访排班表", Example: "接访 下月"},
			{Verb: "月份", Aliases: []string{"month"}, Fallback: true, Handler: bot.HandlerFunc(h.receptionOfMonth),
				Args: "<YYYY-MM>", Summary: "某月接访排班表", Example: "接访 2026-04"},
			{Verb: "记录", Aliases: []string{"record"}, Staff: true, Write: true, Handler: bot.HandlerFunc(h.receptionRecord),
				Args: "<接访编号> 接待N批M人 [当场答复K件] [案件:XF-…] [说明]", Summary: "登记接访情况，接访变为已接访；再次发送可更正所写的项，其余保持不变",
				Example: "接访 记录 JF-2026-0001 接待3批7人 当场答复1件 案件:XF-2026-0012"},
			{Verb: "约访", Aliases: []string{"invite"}, Staff: true, Write: true, Handler: bot.HandlerFunc(h.receptionAppoint),
				Args: "<接访编号> <案件号>…", Summary: "约请信访人到场，案件列入接访前发给领导的案情", Example: "接访 约访 JF-2026-0001 XF-2026-0012 XF-2026-0015"},
			{Verb: "查看", Aliases: []string{"show"}, Handler: bot.HandlerFunc(h.receptionShow),
				Args: "<接访编号>", Summary: "一场接访及其记录和案件", Example: "接访 查看 JF-2026-0001"},
			{Verb: "统计", Aliases: []string{"stats"}, Handler: bot.HandlerFunc(h.receptionStats),
				Args: "[YYYY-MM]", Summary: "月度接访情况：谁接了、谁没接、接待人数、登记和化解的案件", Example: "接访 统计 2026-03"},
			{Verb: "公示", Aliases: []string{"notice"}, Handler: bot.HandlerFunc(h.receptionNotice),
				Args: "[YYYY-MM]", Summary: "领导接访公示文本", Example: "接访 公示 2026-04"},
			{Verb: "频次", Aliases: []string{"every"}, Admin: true, Write: true, Refusal: "只有专班管理员可以设定接访频次。", Handler: bot.HandlerFunc(h.receptionEvery),
				Args: "@领导 <每月|每季度|每半年|每年>", Summary: "领导至少多久接访一次（默认每月）", Example: "接访 频次 @周某 每季度"},
		}},
		{Verb: "排班", Aliases: []string{"roster"}, Section: receptions, Admin: true, Write: true, Summary: "按规则起草领导接访排班，确认后生成公示文本（负责人）", Subs: []bot.Route{
			{Verb: "下月", Aliases: []string{"next"}, Bare: true, Handler: h.rosterMonth(true),
				Args: "[每周三|每月28日|轮流|5日起轮流] [地点:x]", Summary: "为下月尚未安排的领导起草排班", Example: "排班 下月 每周三"},
			{Verb: "本月", Aliases: []string{"this"}, Handler: h.rosterMonth(false),
				Args: "[每周三|每月28日|轮流|5日起轮流] [地点:x]", Summary: "为本月尚未安排的领导起草排班", Example: "排班 本月 轮流"},
			{Verb: "月份", Aliases: []string{"month"}, Fallback: true, Handler: bot.HandlerFunc(h.rosterOfMonth),
				Args: "<YYYY-MM> [每周三|每月28日|轮流|5日起轮流] [地点:x]", Summary: "为某月起草排班", Example: "排班 2026-05 每月28日"},
			{Verb: "确认", Aliases: []string{"confirm"}, Handler: bot.HandlerFunc(h.rosterConfirmCmd),
				Args: "[YYYY-MM]", Summary: "确认排班草案（默认下月），生成接访并发出公示文本", Example: "排班 确认 2026-04"},
		}},
		{Verb: "来信", Aliases: []string{"letter"}, Section: receptions, Private: true, Summary: "领导来信：登记后送领导阅批（2 个工作日），批示后交办（3 个工作日）；只在私聊中办理", Subs: []bot.Route{
			{Verb: "登记", Aliases: []string{"register"}, Fallback: true, Staff: true, Write: true, Handler: bot.HandlerFunc(h.letterRegister),
				Args: "@领导 <摘要> [收信:日期]", Summary: "登记领导来信，送领导阅批", Example: "来信 @周某 桂园社区居民反映回迁房延期交付"},
			{Verb: "批示", Aliases: []string{"阅批", "instruct"}, Write: true, Handler: bot.HandlerFunc(h.letterInstruct),
				Args: "<来信编号> <内容>", Summary: "收信领导批示；专班成员只能代录，领导本人的批示取代代录", Example: "来信 批示 LX-2026-0001 请区住建局牵头，一周内答复信访人"},
			{Verb: "交办", Aliases: []string{"assign"}, Staff: true, Write: true, Handler: bot.HandlerFunc(h.letterAssignCmd),
				Args: "<来信编号> <单位> [案件号]", Summary: "按批示交办单位，可关联案件", Example: "来信 交办 LX-2026-0001 区住建局 XF-2026-0012"},
			{Verb: "查看", Aliases: []string{"show"}, Handler: bot.HandlerFunc(h.letterShow),
				Args: "<来信编号>", Summary: "来信卡片", Example: "来信 查看 LX-2026-0001"},
			{Verb: "列表", Aliases: []string{"list"}, Bare: true, Handler: bot.HandlerFunc(h.letterList),
				Summary: "待阅批、待交办的来信（领导：写给自己的）", Example: "来信 列表"},
		}},

		// 督查单 (督战队): handlers/supervise.go; xfbot.SupervisionItem.Apply
		// decides each step and who may take it (整改/报告 the unit's liaison
		// or staff recording for it, 核验 staff but never the submitter, 销号
		// the lead or the item's inspector).
		{Verb: "督查", Aliases: []string{"supervise", "督查单"}, Section: supervise, Summary: "督查单：交办单位整改，联络员报告整改，专班核验（核验人不是报告人），负责人或督查专员销号；逾期的依次催办、通报、约谈、挂牌督办", Subs: []bot.Route{
			{Verb: "交办", Aliases: []string{"open", "new"}, Staff: true, Write: true, Refusal: "督查单由专班督查专员交办。", Handler: bot.HandlerFunc(h.supOpen),
				Args:    "<单位> [案件号] <问题类型> <问题描述> 要求:<整改要求> [期限:日期]",
				Summary: "交办督查单，回复 DC 编号并私聊告知单位联络员；问题类型：" + xfbot.ProblemTypeWords() + "；整改期限默认 7 个工作日",
				Example: supExample},
			{Verb: "整改", Aliases: []string{"start"}, Write: true, Handler: bot.HandlerFunc(h.supRectify),
				Args: "<DC-编号> [说明]", Summary: "被督查单位开始整改（已交办 → 整改中）", Example: "督查 整改 DC-2026-0001 已成立整改专班"},
			{Verb: "报告", Aliases: []string{"submit", "报整改"}, Write: true, Handler: bot.HandlerFunc(h.supSubmit),
				Args: "<DC-编号> <整改情况与佐证>", Summary: "报告整改情况与佐证（已报整改），等待专班核验", Example: "督查 报告 DC-2026-0001 已落实属地联系人，附走访记录 3 份"},
			{Verb: "核验", Aliases: []string{"verify"}, Staff: true, Write: true, Refusal: "督查单的核验由专班督查专员办理。", Handler: bot.HandlerFunc(h.supVerify),
				Args: "<DC-编号> 通过|退回 <意见> [期限:日期]", Summary: "核验整改（核验人不能是报告人）；退回后重新整改，期限不变，可写 期限: 另定", Example: "督查 核验 DC-2026-0001 退回 佐证材料不全，请补充走访记录 期限:3月30日"},
			{Verb: "销号", Aliases: []string{"close"}, Write: true, Handler: bot.HandlerFunc(h.supClose),
				Args: "<DC-编号>", Summary: "核验通过后销号（专班负责人或督查专员）", Example: "督查 销号 DC-2026-0001"},
			{Verb: "查看", Aliases: []string{"show"}, Handler: bot.HandlerFunc(h.supShow),
				Args: "<DC-编号>", Summary: "督查单卡片及办理记录", Example: "督查 查看 DC-2026-0001"},
			{Verb: "列表", Aliases: []string{"list"}, Bare: true, Handler: bot.HandlerFunc(h.supList),
				Args: "[单位:x] [逾期|待核验|全部]", Summary: "在办督查单（联络员：本单位的）", Example: "督查 列表 单位:云溪街道 逾期"},
		}},

		{Verb: "统计", Aliases: []string{"stats"}, Section: reports, Summary: "存量、增量、化解率、按期办结率等统计；“统计 口径”说明算法", Subs: []bot.Route{
			{Verb: "期间", Aliases: []string{"period"}, Bare: true, Fallback: true, Handler: bot.HandlerFunc(h.stats),
				Args: "[本月|上月|本周|上周|YYYY-MM] [单位|成员]", Summary: "一个期间的统计，可按主责单位、按成员（管理员私聊）", Example: "统计 上月 单位"},
			{Verb: "口径", Aliases: []string{"说明", "definitions"}, Handler: bot.HandlerFunc(h.definitions),
				Summary: "各项指标的口径和算法", Example: "统计 口径"},
			{Verb: "督查", Aliases: []string{"supervision"}, Handler: bot.HandlerFunc(h.supStats),
				Args: "[本月|上月|本周|上周|YYYY-MM]", Summary: "督查单统计：交办、按期整改率、退回、逾期，按单位和问题类型", Example: "统计 督查 上月"},
		}},
		{Verb: "导出", Aliases: []string{"export"}, Section: reports, Summary: "导出 Excel 台账，私聊发送", Subs: []bot.Route{
			{Verb: "台账", Aliases: []string{"ledger"}, Handler: bot.HandlerFunc(h.export),
				Args: "[YYYY-MM|本月|上月] [单位:x] [完整]", Summary: "导出 Excel 台账（台账、进展、统计三张表），私聊发送；默认脱敏，完整导出限管理员并需确认",
				Example: "导出 台账 2026-03 单位:区住建局"},
		}},
		{Verb: "预览", Aliases: []string{"preview"}, Section: reports, Summary: "预览下一次推送的摘要，不会推送", Subs: []bot.Route{
			{Verb: "摘要", Aliases: []string{"digest"}, Handler: bot.HandlerFunc(h.preview),
				Args: "[@领导|周报|月报]", Summary: "预览下一次推送的摘要（领导看自己的；管理员可看任一领导、群周报、月报），不会推送", Example: "预览 摘要"},
		}},

		{Verb: "帮助", Aliases: []string{"help", "?", "？"}, Section: other, Public: true, Handler: bot.HandlerFunc(h.help),
			Args: "[命令]", Summary: "查看命令说明", Example: "帮助 新建"},
		{Verb: "演示数据", Aliases: []string{"demo"}, Section: other, Admin: true, Write: true, Handler: bot.HandlerFunc(h.demo),
			Summary: "载入虚构的演示数据（仅本地控制台）", Example: "演示数据"},
	} {
		mux.Handle(r)
	}
	// A button is a command: each action names the command (or the
	// subcommand, "来信 批示") it stands for, and the mux checks it by that
	// route's role rule.
	for _, a := range []bot.ActionRoute{
		{Name: bot.ActionProgressForm, Verb: "进展", Case: true, Handler: bot.HandlerFunc(h.progressForm)},
		{Name: bot.ActionProgressSubmit, Verb: "进展", Case: true, Handler: bot.HandlerFunc(h.progressSubmit)},
		{Name: bot.ActionClaim, Verb: "指派", Case: true, Handler: bot.HandlerFunc(h.claim)},
		{Name: bot.ActionRefresh, Verb: "查看", Case: true, Handler: bot.HandlerFunc(h.refresh)},
		{Name: bot.ActionAck, Verb: "确认", Case: true, Handler: bot.HandlerFunc(h.ack)},
		{Name: bot.ActionSnooze, Verb: "提醒 查看", Case: true, Handler: bot.HandlerFunc(h.snooze)},
		{Name: bot.ActionAccept, Verb: "受理", Case: true, Handler: h.stepButton(xfbot.StepAccept)},
		{Name: bot.ActionReviewRequest, Verb: "复查 申请", Case: true, Handler: h.stepButton(xfbot.StepReviewRequest)},
		{Name: bot.ActionRecheckRequest, Verb: "复核 申请", Case: true, Handler: h.stepButton(xfbot.StepRecheckRequest)},
		{Name: bot.ActionConclude, Verb: "终结", Case: true, Handler: h.stepButton(xfbot.StepConclude)},
		{Name: bot.ActionReplyForm, Verb: "答复", Case: true, Handler: h.stepForm(bot.ActionReplyForm)},
		{Name: bot.ActionReply, Verb: "答复", Case: true, Handler: h.stepSubmit(xfbot.StepReply)},
		{Name: bot.ActionReviewReplyForm, Verb: "复查 答复", Case: true, Handler: h.stepForm(bot.ActionReviewReplyForm)},
		{Name: bot.ActionReviewReply, Verb: "复查 答复", Case: true, Handler: h.stepSubmit(xfbot.StepReviewReply)},
		{Name: bot.ActionRecheckReplyForm, Verb: "复核 答复", Case: true, Handler: h.stepForm(bot.ActionRecheckReplyForm)},
		{Name: bot.ActionRecheckReply, Verb: "复核 答复", Case: true, Handler: h.stepSubmit(xfbot.StepRecheckReply)},
		{Name: bot.ActionFollowUpForm, Verb: "回访", Case: true, Handler: h.stepForm(bot.ActionFollowUpForm)},
		{Name: bot.ActionFollowUp, Verb: "回访", Case: true, Handler: bot.HandlerFunc(h.followUpSubmit)},
		{Name: bot.ActionExtendForm, Verb: "延期", Case: true, Handler: bot.HandlerFunc(h.extendForm)},
		{Name: bot.ActionExtendSubmit, Verb: "延期", Case: true, Handler: bot.HandlerFunc(h.extendSubmit)},
		{Name: bot.ActionExtendApprove, Verb: "批准延期", Case: true, Handler: bot.HandlerFunc(h.approveExtension)},
		{Name: bot.ActionExtendRejectForm, Verb: "驳回延期", Case: true, Handler: bot.HandlerFunc(h.extendRejectForm)},
		{Name: bot.ActionExtendReject, Verb: "驳回延期", Case: true, Handler: bot.HandlerFunc(h.rejectExtension)},
		{Name: bot.ActionPlanShow, Verb: "方案 查看", Case: true, Handler: bot.HandlerFunc(h.planShow)},
		{Name: bot.ActionPlanApprove, Verb: "方案 批准", Case: true, Handler: bot.HandlerFunc(h.planApprove)},
		{Name: bot.ActionPlanRejectForm, Verb: "方案 退回", Case: true, Handler: bot.HandlerFunc(h.planRejectForm)},
		{Name: bot.ActionPlanReject, Verb: "方案 退回", Case: true, Handler: bot.HandlerFunc(h.planReject)},
		{Name: bot.ActionPlanDoneForm, Verb: "方案 完成", Handler: bot.HandlerFunc(h.planDoneForm)},
		{Name: bot.ActionPlanDone, Verb: "方案 完成", Handler: bot.HandlerFunc(h.planDone)},
		{Name: bot.ActionRosterConfirm, Verb: "排班 确认", Handler: bot.HandlerFunc(h.rosterConfirmAction)},
		{Name: bot.ActionExportFull, Verb: "导出 台账", Handler: h.exportAction(true)},
		{Name: bot.ActionExportMasked, Verb: "导出 台账", Handler: h.exportAction(false)},
		{Name: bot.ActionLetterRefresh, Verb: "来信 查看", Handler: bot.HandlerFunc(h.letterRefresh)},
		{Name: bot.ActionLetterReadForm, Verb: "来信 批示", Handler: bot.HandlerFunc(h.letterReadForm)},
		{Name: bot.ActionLetterRead, Verb: "来信 批示", Handler: bot.HandlerFunc(h.letterReadSubmit)},
		{Name: bot.ActionLetterAssignFrm, Verb: "来信 交办", Handler: bot.HandlerFunc(h.letterAssignForm)},
		{Name: bot.ActionLetterAssign, Verb: "来信 交办", Handler: bot.HandlerFunc(h.letterAssignSubmit)},
		{Name: bot.ActionSupRefresh, Verb: "督查 查看", Handler: bot.HandlerFunc(h.supRefreshAction)},
		{Name: bot.ActionSupRectify, Verb: "督查 整改", Handler: bot.HandlerFunc(h.supRectifyAction)},
		{Name: bot.ActionSupSubmitForm, Verb: "督查 报告", Handler: bot.HandlerFunc(h.supSubmitFormAction)},
		{Name: bot.ActionSupSubmit, Verb: "督查 报告", Handler: bot.HandlerFunc(h.supSubmitAction)},
		{Name: bot.ActionSupVerify, Verb: "督查 核验", Handler: bot.HandlerFunc(h.supVerifyAction)},
		{Name: bot.ActionSupReturnForm, Verb: "督查 核验", Handler: bot.HandlerFunc(h.supReturnFormAction)},
		{Name: bot.ActionSupReturn, Verb: "督查 核验", Handler: bot.HandlerFunc(h.supReturnAction)},
		{Name: bot.ActionSupClose, Verb: "督查 销号", Handler: bot.HandlerFunc(h.supCloseAction)},
	} {
		mux.HandleAction(a)
	}
}
