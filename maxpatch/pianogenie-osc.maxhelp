{
	"patcher" : {
		"fileversion" : 1,
		"appversion" : {
			"major" : 8,
			"minor" : 6,
			"revision" : 0,
			"architecture" : "x64",
			"modernui" : 1
		},
		"classnamespace" : "box",
		"rect" : [ 80.0, 80.0, 1060.0, 860.0 ],
		"openinpresentation" : 0,
		"default_fontsize" : 12.0,
		"default_fontface" : 0,
		"default_fontname" : "Arial",
		"gridonopen" : 1,
		"gridsize" : [ 15.0, 15.0 ],
		"gridsnaponopen" : 1,
		"objectsnaponopen" : 1,
		"statusbarvisible" : 2,
		"toolbarvisible" : 1,
		"description" : "Help for [pianogenie-osc]: the Piano Genie bridge as one object.",
		"boxes" : [
			{
				"box" : {
					"id" : "obj-title",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 10.0, 600.0, 30.0 ],
					"text" : "pianogenie-osc",
					"fontsize" : 22.0,
					"fontface" : 1
				}
			},
			{
				"box" : {
					"id" : "obj-subtitle",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 42.0, 1000.0, 20.0 ],
					"text" : "Piano Genie: 8 buttons in, 88 keys out, through the bridge. Drop [pianogenie-osc] into your own patch: messages in, notes out."
				}
			},
			{
				"box" : {
					"id" : "obj-step1",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 70.0, 1000.0, 20.0 ],
					"text" : "1. Start the bridge with its own synth and MIDI out off, so that only this patch plays the notes: pianogenie serve --audio none --midi-out none"
				}
			},
			{
				"box" : {
					"id" : "obj-step2",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 92.0, 1000.0, 20.0 ],
					"text" : "2. Lock the patch and click the messages. [print] shows every answer in the Max Console; the keyboard shows the notes, and [noteout] plays them on the MIDI port you pick (double-click it)."
				}
			},
			{
				"box" : {
					"id" : "obj-c-inlet",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 130.0, 300.0, 20.0 ],
					"text" : "INLET: one message per thing to do",
					"fontface" : 1
				}
			},
			{
				"box" : {
					"id" : "obj-m0",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 158.0, 63.0, 22.0 ],
					"text" : "press 0"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m0",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 158.0, 400.0, 20.0 ],
					"text" : "press button 0..7: a note starts (velocity 100)"
				}
			},
			{
				"box" : {
					"id" : "obj-m1",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 186.0, 77.0, 22.0 ],
					"text" : "release 0"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m1",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 186.0, 400.0, 20.0 ],
					"text" : "release it: the note ends"
				}
			},
			{
				"box" : {
					"id" : "obj-m2",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 214.0, 84.0, 22.0 ],
					"text" : "press 1 40"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m2",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 214.0, 400.0, 20.0 ],
					"text" : "press with a velocity, 1..127"
				}
			},
			{
				"box" : {
					"id" : "obj-m3",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 242.0, 77.0, 22.0 ],
					"text" : "release 1"
				}
			},
			{
				"box" : {
					"id" : "obj-m4",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 270.0, 63.0, 22.0 ],
					"text" : "press 9"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m4",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 270.0, 400.0, 20.0 ],
					"text" : "no such button: the bridge answers on the error outlet"
				}
			},
			{
				"box" : {
					"id" : "obj-m5",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 298.0, 63.0, 22.0 ],
					"text" : "pedal 1"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m5",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 298.0, 400.0, 20.0 ],
					"text" : "sustain pedal down: released notes sound on"
				}
			},
			{
				"box" : {
					"id" : "obj-m6",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 326.0, 63.0, 22.0 ],
					"text" : "pedal 0"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m6",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 326.0, 400.0, 20.0 ],
					"text" : "pedal up: they end"
				}
			},
			{
				"box" : {
					"id" : "obj-m7",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 354.0, 126.0, 22.0 ],
					"text" : "temperature 0.25"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m7",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 354.0, 400.0, 20.0 ],
					"text" : "0..1: low is predictable, high adventurous"
				}
			},
			{
				"box" : {
					"id" : "obj-m8",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 382.0, 91.0, 22.0 ],
					"text" : "range 48 72"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m8",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 382.0, 400.0, 20.0 ],
					"text" : "only MIDI pitches 48..72"
				}
			},
			{
				"box" : {
					"id" : "obj-m9",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 410.0, 98.0, 22.0 ],
					"text" : "range 21 108"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m9",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 410.0, 400.0, 20.0 ],
					"text" : "all 88 keys again"
				}
			},
			{
				"box" : {
					"id" : "obj-m10",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 438.0, 210.0, 22.0 ],
					"text" : "keys 60 62 64 65 67 69 71 72"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m10",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 438.0, 400.0, 20.0 ],
					"text" : "only these pitches (here C major)"
				}
			},
			{
				"box" : {
					"id" : "obj-m11",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 466.0, 42.0, 22.0 ],
					"text" : "keys"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m11",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 466.0, 400.0, 20.0 ],
					"text" : "no pitches: all 88 keys"
				}
			},
			{
				"box" : {
					"id" : "obj-m12",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 494.0, 49.0, 22.0 ],
					"text" : "reset"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m12",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 494.0, 400.0, 20.0 ],
					"text" : "notes off, the genie forgets the phrase"
				}
			},
			{
				"box" : {
					"id" : "obj-m13",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 522.0, 49.0, 22.0 ],
					"text" : "panic"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m13",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 522.0, 400.0, 20.0 ],
					"text" : "every note off, now"
				}
			},
			{
				"box" : {
					"id" : "obj-m14",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 550.0, 56.0, 22.0 ],
					"text" : "status"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m14",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 550.0, 400.0, 20.0 ],
					"text" : "ask for the counters and latency: status outlet"
				}
			},
			{
				"box" : {
					"id" : "obj-m15",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 578.0, 56.0, 22.0 ],
					"text" : "models"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m15",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 578.0, 400.0, 20.0 ],
					"text" : "ask which models the bridge can swap to (serve --models DIR)"
				}
			},
			{
				"box" : {
					"id" : "obj-m16",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 606.0, 112.0, 22.0 ],
					"text" : "host 127.0.0.1"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m16",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 606.0, 400.0, 20.0 ],
					"text" : "another bridge: its address..."
				}
			},
			{
				"box" : {
					"id" : "obj-m17",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 634.0, 84.0, 22.0 ],
					"text" : "port 57130"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m17",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 634.0, 400.0, 20.0 ],
					"text" : "...and its port"
				}
			},
			{
				"box" : {
					"id" : "obj-m18",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 662.0, 126.0, 22.0 ],
					"text" : "reply_port 57131"
				}
			},
			{
				"box" : {
					"id" : "obj-c-m18",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 662.0, 400.0, 20.0 ],
					"text" : "where to listen: the bridge's --reply-to port"
				}
			},
			{
				"box" : {
					"id" : "obj-genie",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 5,
					"outlettype" : [ "", "", "", "", "" ],
					"patching_rect" : [ 20.0, 710.0, 300.0, 22.0 ],
					"text" : "pianogenie-osc"
				}
			},
			{
				"box" : {
					"id" : "obj-c-args",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 330.0, 710.0, 700.0, 34.0 ],
					"text" : "<- arguments: PORT HOST REPLY_PORT, e.g. [pianogenie-osc 9000 192.168.1.20 9001] for pianogenie serve --host 0.0.0.0 --port 9000 --reply-to THIS-MACHINE:9001. Default: 57130 127.0.0.1 57131, as pianogenie serve."
				}
			},
			{
				"box" : {
					"id" : "obj-c-outlets",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 770.0, 300.0, 20.0 ],
					"text" : "OUTLETS, left to right:",
					"fontface" : 1
				}
			},
			{
				"box" : {
					"id" : "obj-print-noteon",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 798.0, 90.0, 22.0 ],
					"text" : "print noteon"
				}
			},
			{
				"box" : {
					"id" : "obj-print-noteoff",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 90.0, 826.0, 90.0, 22.0 ],
					"text" : "print noteoff"
				}
			},
			{
				"box" : {
					"id" : "obj-print-status",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 160.0, 854.0, 90.0, 22.0 ],
					"text" : "print status"
				}
			},
			{
				"box" : {
					"id" : "obj-print-error",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 230.0, 882.0, 90.0, 22.0 ],
					"text" : "print error"
				}
			},
			{
				"box" : {
					"id" : "obj-print-other",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 300.0, 910.0, 90.0, 22.0 ],
					"text" : "print other"
				}
			},
			{
				"box" : {
					"id" : "obj-c-out0",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 948.0, 1000.0, 20.0 ],
					"text" : "1 noteon: pitch velocity button - a note starts (pitch 21..108, velocity 1..127, the button 0..7 that played it)."
				}
			},
			{
				"box" : {
					"id" : "obj-c-out1",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 970.0, 1000.0, 20.0 ],
					"text" : "2 noteoff: pitch button - it ends (after its release, the pedal, reset or panic)."
				}
			},
			{
				"box" : {
					"id" : "obj-c-out2",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 992.0, 1000.0, 20.0 ],
					"text" : "3 status: name value pairs - performer 0 temperature 0.25 ... latency_p50_us ... latency_p99_us ... model NAME ..."
				}
			},
			{
				"box" : {
					"id" : "obj-c-out3",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 1014.0, 1000.0, 20.0 ],
					"text" : "4 error: the reason the bridge refused a message."
				}
			},
			{
				"box" : {
					"id" : "obj-c-out4",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 1036.0, 1000.0, 20.0 ],
					"text" : "5 everything else, address first: /genie/model NAME after a swap, /genie/models NAME..."
				}
			},
			{
				"box" : {
					"id" : "obj-c-play",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 700.0, 130.0, 330.0, 48.0 ],
					"text" : "PLAY THEM: noteon's pitch and velocity, and noteoff's pitch with velocity 0, to the keyboard and to MIDI."
				}
			},
			{
				"box" : {
					"id" : "obj-on-unpack",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 3,
					"outlettype" : [ "int", "int", "int" ],
					"patching_rect" : [ 700.0, 190.0, 98.0, 22.0 ],
					"text" : "unpack 0 0 0"
				}
			},
			{
				"box" : {
					"id" : "obj-off-unpack",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 2,
					"outlettype" : [ "int", "int" ],
					"patching_rect" : [ 820.0, 190.0, 84.0, 22.0 ],
					"text" : "unpack 0 0"
				}
			},
			{
				"box" : {
					"id" : "obj-off-t",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 2,
					"outlettype" : [ "int", "int" ],
					"patching_rect" : [ 820.0, 220.0, 49.0, 22.0 ],
					"text" : "t i 0"
				}
			},
			{
				"box" : {
					"id" : "obj-kslider",
					"maxclass" : "kslider",
					"numinlets" : 2,
					"numoutlets" : 2,
					"outlettype" : [ "int", "int" ],
					"patching_rect" : [ 700.0, 260.0, 336.0, 53.0 ],
					"mode" : 1,
					"offset" : 21,
					"range" : 88
				}
			},
			{
				"box" : {
					"id" : "obj-noteout",
					"maxclass" : "newobj",
					"numinlets" : 3,
					"numoutlets" : 0,
					"patching_rect" : [ 700.0, 330.0, 63.0, 22.0 ],
					"text" : "noteout"
				}
			},
			{
				"box" : {
					"id" : "obj-c-poll",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 700.0, 380.0, 330.0, 34.0 ],
					"text" : "Ask for the status once a second (the metro clicks [status] for you):"
				}
			},
			{
				"box" : {
					"id" : "obj-poll-toggle",
					"maxclass" : "toggle",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "int" ],
					"patching_rect" : [ 700.0, 420.0, 24.0, 24.0 ],
					"parameter_enable" : 0
				}
			},
			{
				"box" : {
					"id" : "obj-poll-metro",
					"maxclass" : "newobj",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "bang" ],
					"patching_rect" : [ 740.0, 420.0, 84.0, 22.0 ],
					"text" : "metro 1000"
				}
			}
		],
		"lines" : [
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m0", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m1", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m2", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m3", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m4", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m5", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m6", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m7", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m8", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m9", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m10", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m11", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m12", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m13", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m14", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m15", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m16", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m17", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-genie", 0 ],
					"source" : [ "obj-m18", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-print-noteon", 0 ],
					"source" : [ "obj-genie", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-print-noteoff", 0 ],
					"source" : [ "obj-genie", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-print-status", 0 ],
					"source" : [ "obj-genie", 2 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-print-error", 0 ],
					"source" : [ "obj-genie", 3 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-print-other", 0 ],
					"source" : [ "obj-genie", 4 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-on-unpack", 0 ],
					"source" : [ "obj-genie", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-off-unpack", 0 ],
					"source" : [ "obj-genie", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-off-t", 0 ],
					"source" : [ "obj-off-unpack", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-kslider", 0 ],
					"source" : [ "obj-on-unpack", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-kslider", 1 ],
					"source" : [ "obj-on-unpack", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-kslider", 0 ],
					"source" : [ "obj-off-t", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-kslider", 1 ],
					"source" : [ "obj-off-t", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-noteout", 0 ],
					"source" : [ "obj-on-unpack", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-noteout", 1 ],
					"source" : [ "obj-on-unpack", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-noteout", 0 ],
					"source" : [ "obj-off-t", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-noteout", 1 ],
					"source" : [ "obj-off-t", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-poll-metro", 0 ],
					"source" : [ "obj-poll-toggle", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-m14", 0 ],
					"source" : [ "obj-poll-metro", 0 ]
				}
			}
		],
		"dependency_cache" : [ ],
		"autosave" : 0
	}
}
