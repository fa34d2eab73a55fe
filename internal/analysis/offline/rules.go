package offline

// patternRules are the phrase rules behind relationship_dynamics, recurring_themes and
// emotional_triggers. One line per label:
//
//	label: pattern | pattern | ...
//
// A pattern is a sequence of space-separated elements matched against the lower-cased
// words of one sentence (punctuation stripped, curly apostrophes straightened):
//
//	word        that word           a/b/c    any of them
//	word*       any word starting with "word"
//	_           any one word        ..       zero to three words    ...  zero to six
//
// Label prefixes change how a match counts:
//
//	!label      the pattern carries its own negation ("wouldn't talk"), or negation does
//	            not matter (themes: "we didn't talk" is still about communication)
//	label~neg   when the match is negated ("he never thanks me"), emit neg instead
//	label<      only in sentences that do not read as positive ("he always ..." is
//	            criticism in a complaint, not in "he always makes me laugh")
//
// Otherwise a negator in the three words before a match ("he didn't criticise me",
// "I never said he was lazy") cancels it. Rules are deliberately phrase-level: single
// words such as "always" or "sorry" mean too many things on their own.
const patternRules = `
criticism<: !you/he/she/they always/never
criticism: you/you're/he/he's/she/she's/they/they're .. lazy/selfish/useless/careless/inconsiderate/irresponsible/clueless/hopeless/thoughtless/immature/childish/unreliable/incompetent/insensitive/controlling/impossible/neglectful/needy/dramatic/annoying/slob/selfishness/rude/mean/inconsiderate/irrational/paranoid/unfair/ungrateful
criticism: called/calls/call me .. lazy/selfish/useless/careless/inconsiderate/irresponsible/clueless/hopeless/thoughtless/immature/childish/unreliable/incompetent/insensitive/controlling/needy/dramatic/annoying/slob/rude/mean/ungrateful
criticism: said/says/told me i .. lazy/selfish/useless/careless/inconsiderate/irresponsible/clueless/hopeless/thoughtless/immature/childish/unreliable/incompetent/insensitive/controlling/needy/dramatic/annoying/slob/rude/mean/ungrateful
criticism: what's/what wrong with you/me/him/her | what is wrong with | !why can't/cant you ever | why do/does you/he/she always | !why don't you ever | the problem with you/him/her is | criticiz*/criticis*/nitpick*/nagg*/nagged | picks/picked/picking/pick on me | put/puts/putting me down | blamed/blames/blaming me | complains/complained/complaining about everything/me/my

contempt: roll*/rolled _ eyes | rolled his/her/their eyes | eye-roll*/eyeroll* | sneer*/scoff*/smirk*/mock*/sarcas*/condescend*/patroniz*/patronis*/belittl*/ridicul*/scorn*/disdain* | made/make/makes/making fun of | laughed/laughs/laughing at me/my | called/calls me .. idiot/stupid/dumb/loser/pathetic/worthless/names/moron/crazy/hysterical/psycho | you're/you/he's/she's .. pathetic/disgusting/worthless/idiot/moron/loser/stupid/dumb | look*/looked down on | disrespect* | contempt* | treated/treats me like .. child/idiot/nothing

defensiveness: !not/isn't/wasn't my/his/her/their fault | !i didn't/didnt .. wrong | !i did nothing wrong | !what about you/when/your | !you're/you the one who | !you do/did it too | !that's/that not true | !i'm/i not the one | !don't blame me | !stop blaming me | !why is it always me | defensive* | excuse/excuses | !i was just/only trying | !i had no choice | !i couldn't help it | !at least i | !blamed it on | !turned it around/back on me | deflect* | !yes but

stonewalling: shut/shuts/shutting down | shut/shuts me out | silent treatment | cold shoulder | !stopped/stop/stops talking | !refused/refuses/refuse/refusing to talk/discuss/speak/answer/engage/look | !wouldn't/won't/wouldnt/wont .. talk/speak/answer/respond/engage/discuss/look | !would/will not .. talk/speak/answer/respond/engage/discuss/look | !said nothing | !didn't/didnt say a/one/anything | !without a/saying word | walked/walks/walking/storm*/stormed out/off/away | left/leaves the room | went/goes/gone silent/quiet | clammed up | stonewall* | hung/hangs up on me | put up a wall | one-word/one word answers | !acted like i wasn't there | pretended not to hear

gentle_startup: i feel/felt ... when | i need/needed you/him/her/us/more/some/help/time/space/support | told/tell him/her/them i need/needed/feel/felt | i'd/would like/love/appreciate | could/can we talk/maybe | could/would you please | would you be willing | would you mind | it would mean a lot | it would help me | i wanted to share | brought/bring it up gently/calmly/softly | asked gently/calmly/softly | without blaming

appreciation~feeling_unappreciated: love that about | love how he/she/you | thank*/grateful/gratitude/appreciat*/admire*/thoughtful | proud of | means/meant a lot | meant the world | lucky to have | so kind | so sweet | sweet of | complimented/praised
feeling_unappreciated: unappreciated/unnoticed/invisible | taken/took/takes me for granted | taken for granted

taking_responsibility: my fault | my bad | i was wrong | i'm/im sorry | i am sorry | i apologi*/apologized/apologised | i said sorry | said sorry | i should/shouldn't have | i should've | my part | my mistake | i messed/screwed up | i take/took responsibility | i own/owned | owned up | owned it | i admit* | i overreacted | i was unfair/harsh/rude/mean | i was being unfair/harsh/rude/mean/defensive/short | i could have handled | i need to work on | you're/you were right | he/she/they apologi* | he/she admitted | admitted he/she was wrong

self_soothing: took/take/taking/takes a/some break/breather/breath/breaths/minute/moment/time-out | deep breath/breaths | away/outside/walk/break/minutes/space/room/time-out to calm/cool down/off | calmed/calm myself down | i calmed down | i cooled off/down | time-out/timeout | time out | some space to | took some space | step/stepped/stepping away/outside | meditat* | counted to ten | collect my thoughts | came back calmer | soothe/soothed/soothing myself | paused/pause

repair_attempt: start over | try again | !let's not fight | !i don't want to fight | make/made/making up | reached for my/his/her hand | olive branch | cracked/made a joke | broke/break the tension | lighten the mood | hug it out | truce | i hear you | i understand | you're/you were right | i'm/im sorry | i am sorry | i apologi*/apologized/apologised | said sorry | he/she/they apologi* | meet halfway | meet me halfway | compromis* | talked/talk it through/out | worked/work it out | fix this/things | back on track

bid_for_connection: asked me about | asked if i wanted | asked me to join | wanted to talk/cuddle/hug/show/spend/hang | invited me/him/her | showed me | sent me a/an/this/that ... meme/photo/picture/video/link/song/article | look at this | reached for | tried to get his/her/their attention | tried to talk/tell/hug/kiss/cuddle | i told him/her about my | i asked him/her if/to/about/how | i showed him/her | i invited him/her | i reached out | he/she reached out

turning_toward: put/puts/putting down his/her/their phone | put/puts/putting his/her/their phone down | looked up and | listened/listens/listening | asked follow-up/questions | was/is there for me | showed/shows up for me | paid/pays attention | made time | dropped everything | turned toward | hugged/held/kissed me back | smiled back | comforted me | checked/checks on me | checked/checks in on me | asked how i was/felt/am | remembered/remembers | joined me | took an interest | was/seemed interested

turning_away: ignored/ignores/ignoring | !kept/keeps scrolling/playing/watching/typing/texting | on his/her/their phone | !didn't/never/doesn't/wouldn't/didnt/doesnt even look/looks/looked up | !didn't/didnt/doesn't/doesnt/never/won't/wouldn't .. notice/respond/reply/answer/listen/ask/acknowledge/care | !did not .. notice/respond/reply/answer/listen/ask/acknowledge/care | !never listens/asks/notices/answers/replies | !barely looked/listened/noticed | brushed/brushes/brush me/it off | blew/blows me off | too busy | changed the subject | left me on read | left on read | dismissed/dismissive | waved me off | turned away | !not/wasn't/isn't interested | tuned/tunes me out | half-listening | shrugged

absolutist_language: !always/never/constantly/forever/everything/everyone/everybody/nothing/nobody | !no one | !every time | !every single | !all the time | !completely/totally/entirely/absolutely

mutual_support: support*/encourag*/comforted | had/has my back | there for me/each | helped/helps me | help/helped/helping each | took/take/takes care of | team/teamwork | backed me up | cheered me on | stood/stands by me | leaned/lean on | shoulder to cry

conflict: argu*/fight/fights/fought/fighting/yelled/yelling/screamed/screaming/shouted/shouting/disagree*/bicker*/tension/tense/clash*/quarrel*/conflict | blew/blow up | snapped at | heated

!communication: talk*/conversation*/communicat*/listen*/discuss*/chat/chatted/chatting/spoke/speak*/misunderstand*/misunderstood/explain*/told/tell/texted/texting/message*/heart-to-heart/miscommunicat* | opened/open up | check in | checked in
!quality_time: date/movie/movies/hike/hiking/vacation/picnic/concert/beach/travel*/games/brunch | quality time | dinner/lunch/trip/weekend/breakfast together/away | went/go/going on a trip/date/walk | out to dinner/lunch | had/have dinner/lunch | cooked/cook together | time together | spend/spent/spending time | hang/hung/hanging out | night in/out | walk/walked together | long walk | game night | date night
!trust: trust*/distrust*/lie/lied/lies/lying/liar/honest/honesty/dishonest/dishonesty/dishonestly/cheat*/betray*/secret*/faithful/unfaithful/affair/jealous*/suspicious/loyal*/promise*/promised | behind my back | went through my phone | rely on | count on
!intimacy: intima*/sex/sexual/sexy/kiss*/cuddl*/hug/hugs/hugged/hugging/affection*/romance/romantic/touch/touched/touching/snuggl*/passion*/desire/foreplay/libido | made love | in bed | held hands | held my hand
!money: money/budget*/bills/bill/rent/mortgage/debt/debts/loan/loans/salary/paycheck/afford/expensive/savings/finances/financial/price/cost/costs/spending/overspending/cash/bank | credit card | spent money | pay/paid/paying for/off/back/rent/bills
!chores: chore*/dishes/dishwasher/laundry/clean/cleaned/cleaning/cleanup/vacuum*/groceries/grocery/trash/garbage/tidy/tidied/tidying/housework/household/mess/messy/mop/mopped/mopping/mow/mowed/mowing/cooking/bins | the house
!family: mom/mum/mom's/mum's/mother*/dad/dad's/father*/parent*/sister*/brother*/sibling*/kid/kids/children/child/son/daughter*/grandma/grandpa/grandmother/grandfather/aunt/uncle/cousin*/family/families/nephew/niece/toddler/in-laws/in-law/stepson/stepdaughter
!work_stress: job/boss/office/deadline*/overtime/career/coworker*/co-worker*/colleague*/manager/shift/shifts/workload/burnout/promotion/fired/layoff*/meeting/meetings/project/projects/client/clients | work/works is/was/has/had/stress/stressed/stressful | at work | from work | after work | work late | worked/working late | long hours | laid off | burned/burnt out
!health: sick/ill/illness/doctor/doctors/hospital/surgery/pain/headache/migraine/cancer/diagnos*/therapy/therapist/medication/meds/health/healthy/injur*/flu/covid/fever/anxiety/depress*/panic/insomnia/pregnant/pregnancy/chemo/symptom*
!plans_goals: plan/plans/planned/planning/goal/goals/future/dream/dreams/retire/retirement/resolution/resolutions/someday/bucket | save/saving for | move in | moving in | next year | one day we | buy a house

!stress: stress/stressed/stressful/overwhelm*/exhausted/swamped/frazzled/burnout/pressure/anxious | too much | on edge | burned/burnt out
!misunderstanding: misunderstand*/misunderstood/miscommunicat* | took it the wrong way | the wrong idea | not what i meant | talking past each other | mixed signals
broken_promise-: promise/promised/promises
!broken_promise: broke/breaks/broken his/her/their/a promise | stood me up | bailed/flaked | !didn't/didnt/never show up | forgot/forgotten/forgets | let me down
!jealousy: jealous*/envious/envy/flirt*/flirting/flirted
!dishonesty: lie/lied/lies/lying/liar/cheat*/cheated/betray*/affair/deceiv*/dishonest* | behind my back | hid/hiding/hidden it/something/things | kept it from me | secret/secrets
!lack_of_time: too busy | no time | never have time | barely see/saw each | hardly see/saw | never see each | don't see each | not enough time
!loneliness: lonely/loneliness/alone/isolated/disconnected/distant | left out | miss/missed him/her/them
`
