package demo

// phase is a stretch of one relationship's story: the sentences its
// entries are made of and the moods they carry.
type phase struct {
	// Until is where the phase ends, as a fraction of the journal's span.
	Until     float64
	Sentences []string
	Moods     []string
}

// person is one relationship of the demo journal.
type person struct {
	Name, Kind, Notes string
	// Every is the mean number of days between entries; StopBefore ends
	// the entries that many days before the journal's end.
	Every      float64
	StopBefore int
	Phases     []phase
}

// people is the demo journal's cast. Sam's story has a rough patch and a
// repair; Mum's a health scare; Maya is a friend not written about lately;
// Jordan a colleague through a hard project.
var people = []person{
	{Name: "Sam", Kind: "partner", Notes: "Together six years. Moved in last spring.", Every: 2.2, Phases: []phase{
		{Until: 0.35, Moods: []string{"happy", "content", "grateful", "calm"}, Sentences: []string{
			"We cooked dinner together and laughed about the week.",
			"Sam made me coffee before I woke up and left a note on the table.",
			"Thanked Sam for picking up the groceries without being asked.",
			"We went for a long walk by the river and talked about our plans for next summer.",
			"I told Sam about the meeting that went badly and Sam listened and asked what happened.",
			"We spent the evening on the sofa watching a film, my head on Sam's shoulder.",
			"Sam asked how my day was and put the phone away to listen.",
			"We're planning a trip to Lisbon in the spring and we booked the flights together.",
			"I really appreciated that Sam called my mum to ask how she was.",
			"We played cards after dinner and Sam won every round, which was funny.",
			"I felt close to Sam tonight.",
			"We made a budget for the holidays together and it felt like we were a team.",
		}},
		{Until: 0.62, Moods: []string{"frustrated", "tired", "sad", "anxious", "hurt"}, Sentences: []string{
			"We argued about the dishes again.",
			"I told Sam you never listen to me and you always leave everything to me.",
			"Sam went quiet and walked out of the room when I brought up money.",
			"I tried to tell Sam about my day and Sam kept scrolling without looking up.",
			"Sam said I'm always nagging and rolled their eyes.",
			"When I brought up the bills Sam said well I work longer hours than you.",
			"I felt ignored all evening.",
			"We had a tense evening and barely spoke.",
			"Sam forgot to call the landlord again after promising to do it.",
			"I snapped at Sam about the laundry and we both went to bed angry.",
			"Sam put the headphones in halfway through my sentence.",
			"I feel unappreciated for everything I do around the house.",
			"The rent went up and we fought about money.",
		}},
		{Until: 1.0, Moods: []string{"hopeful", "relieved", "grateful", "calm", "happy"}, Sentences: []string{
			"I apologised for snapping yesterday and Sam hugged me.",
			"Sam brought me a coffee after our fight and said truce?",
			"I told Sam I feel overwhelmed when the kitchen is a mess and asked if we could share the dishes on weeknights.",
			"Sam said sorry for walking out and we talked it through calmly.",
			"When the argument started I stepped outside, took a few deep breaths and came back calmer.",
			"I admitted I was wrong about the bills and Sam thanked me for saying it.",
			"We made a chore chart together and it actually helped.",
			"We went out for dinner, just the two of us, and laughed a lot.",
			"Sam asked how my day was and really listened.",
			"We talked about moving to a bigger flat next year and saving for it together.",
			"I thanked Sam for being patient with me this month.",
			"We both said sorry and made up before bed.",
			"Sam had my back when my sister was being difficult.",
		}},
	}},
	{Name: "Mum", Kind: "family", Notes: "Calls on Sundays.", Every: 6, Phases: []phase{
		{Until: 0.4, Moods: []string{"content", "happy", "nostalgic"}, Sentences: []string{
			"Long call with Mum on Sunday; she told me about the garden.",
			"Mum sent me her old recipe for apple cake and I baked it.",
			"I thanked Mum for driving over to help with the curtains.",
			"Mum asked about work and gave good advice.",
			"We looked through old photos together and laughed.",
		}},
		{Until: 0.7, Moods: []string{"worried", "anxious", "sad"}, Sentences: []string{
			"Mum has a hospital appointment next week and I'm worried about her health.",
			"I'm scared about Mum's test results.",
			"Mum sounded tired on the phone and didn't want to talk about the doctor.",
			"I drove down to be with Mum at the clinic and held her hand.",
			"I feel guilty that I live so far away from Mum.",
		}},
		{Until: 1.0, Moods: []string{"relieved", "grateful", "happy"}, Sentences: []string{
			"Mum's results came back fine and we both cried with relief.",
			"I thanked Mum for always being there for me.",
			"Mum and I planned a weekend away together in the new year.",
			"Mum called just to ask how I was doing and it made my day.",
			"We had a lovely lunch and she seemed like herself again.",
		}},
	}},
	{Name: "Maya", Kind: "friend", Notes: "Friends since university.", Every: 9, StopBefore: 19, Phases: []phase{
		{Until: 1.0, Moods: []string{"happy", "energised", "content"}, Sentences: []string{
			"Coffee with Maya; she always makes me laugh.",
			"Maya invited me to her birthday dinner and I said yes straight away.",
			"I told Maya about the rough patch with Sam and she listened and comforted me.",
			"Maya helped me move the bookshelf and we ordered pizza after.",
			"We went to a concert together and sang all the way home.",
			"I appreciated that Maya remembered my interview and texted good luck.",
		}},
	}},
	{Name: "Jordan", Kind: "colleague", Notes: "Works on the same team.", Every: 5, Phases: []phase{
		{Until: 0.45, Moods: []string{"stressed", "tired", "frustrated"}, Sentences: []string{
			"The deadline is brutal and Jordan and I are both working late.",
			"Jordan criticised my report in front of the whole team.",
			"Jordan interrupted me twice in the meeting and I felt ignored.",
			"We disagreed about the project plan and the tension in the office was awful.",
			"Jordan said the delay was my fault and didn't admit any part in it.",
		}},
		{Until: 1.0, Moods: []string{"calm", "hopeful", "content"}, Sentences: []string{
			"I told Jordan I feel stressed when plans change at the last minute and asked if we could agree on them on Mondays.",
			"Jordan apologised for the meeting and said I was right about the timeline.",
			"We worked through the plan together and it felt like a team again.",
			"Jordan thanked me for staying late to help with the release.",
			"Lunch with Jordan; we talked about something other than work for once.",
		}},
	}},
}
