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
		"rect" : [ 100.0, 100.0, 1100.0, 920.0 ],
		"openinpresentation" : 1,
		"default_fontsize" : 12.0,
		"default_fontface" : 0,
		"default_fontname" : "Arial",
		"gridonopen" : 1,
		"gridsize" : [ 15.0, 15.0 ],
		"gridsnaponopen" : 1,
		"objectsnaponopen" : 1,
		"statusbarvisible" : 2,
		"toolbarvisible" : 1,
		"description" : "Piano Genie Bridge: 8 buttons in over OSC, notes back to MIDI and an on-screen keyboard.",
		"boxes" : [
			{
				"box" : {
					"id" : "obj-title",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 10.0, 1040.0, 34.0 ],
					"text" : "Piano Genie - 8 buttons in, 88 keys out. Start the bridge first (pianogenie serve); this patch talks to it over OSC: it sends to UDP 127.0.0.1:57130 and listens on UDP 57131. Unlock and press Cmd/Ctrl-Alt-E to see the player view (presentation)."
				}
			},
			{
				"box" : {
					"id" : "obj-c-buttons",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 50.0, 560.0, 34.0 ],
					"text" : "Buttons: ubutton's second outlet bangs on mouse-down (press), its first on mouse-up (release)."
				}
			},
			{
				"box" : {
					"id" : "obj-panel0",
					"maxclass" : "panel",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 10.0, 50.0, 64.0, 64.0 ],
					"bgcolor" : [ 0.933333, 0.168627, 0.160784, 1.0 ],
					"mode" : 0,
					"rounded" : 8
				}
			},
			{
				"box" : {
					"id" : "obj-label0",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 44.0, 102.0, 20.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 35.0, 72.0, 20.0, 20.0 ],
					"text" : "1",
					"fontsize" : 14.0,
					"fontface" : 1,
					"textcolor" : [ 0.0, 0.0, 0.0, 1.0 ],
					"ignoreclick" : 1
				}
			},
			{
				"box" : {
					"id" : "obj-ubutton0",
					"maxclass" : "ubutton",
					"numinlets" : 1,
					"numoutlets" : 4,
					"outlettype" : [ "bang", "bang", "", "int" ],
					"patching_rect" : [ 20.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 10.0, 50.0, 64.0, 64.0 ],
					"hltcolor" : [ 1.0, 1.0, 1.0, 0.4 ],
					"handoff" : ""
				}
			},
			{
				"box" : {
					"id" : "obj-press0",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 160.0, 30.0, 22.0 ],
					"text" : "0"
				}
			},
			{
				"box" : {
					"id" : "obj-release0",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 52.0, 160.0, 30.0, 22.0 ],
					"text" : "0"
				}
			},
			{
				"box" : {
					"id" : "obj-panel1",
					"maxclass" : "panel",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 90.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 80.0, 50.0, 64.0, 64.0 ],
					"bgcolor" : [ 1.0, 0.596078, 0.0, 1.0 ],
					"mode" : 0,
					"rounded" : 8
				}
			},
			{
				"box" : {
					"id" : "obj-label1",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 114.0, 102.0, 20.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 105.0, 72.0, 20.0, 20.0 ],
					"text" : "2",
					"fontsize" : 14.0,
					"fontface" : 1,
					"textcolor" : [ 0.0, 0.0, 0.0, 1.0 ],
					"ignoreclick" : 1
				}
			},
			{
				"box" : {
					"id" : "obj-ubutton1",
					"maxclass" : "ubutton",
					"numinlets" : 1,
					"numoutlets" : 4,
					"outlettype" : [ "bang", "bang", "", "int" ],
					"patching_rect" : [ 90.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 80.0, 50.0, 64.0, 64.0 ],
					"hltcolor" : [ 1.0, 1.0, 1.0, 0.4 ],
					"handoff" : ""
				}
			},
			{
				"box" : {
					"id" : "obj-press1",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 90.0, 160.0, 30.0, 22.0 ],
					"text" : "1"
				}
			},
			{
				"box" : {
					"id" : "obj-release1",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 122.0, 160.0, 30.0, 22.0 ],
					"text" : "1"
				}
			},
			{
				"box" : {
					"id" : "obj-panel2",
					"maxclass" : "panel",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 160.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 150.0, 50.0, 64.0, 64.0 ],
					"bgcolor" : [ 1.0, 1.0, 0.0, 1.0 ],
					"mode" : 0,
					"rounded" : 8
				}
			},
			{
				"box" : {
					"id" : "obj-label2",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 184.0, 102.0, 20.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 175.0, 72.0, 20.0, 20.0 ],
					"text" : "3",
					"fontsize" : 14.0,
					"fontface" : 1,
					"textcolor" : [ 0.0, 0.0, 0.0, 1.0 ],
					"ignoreclick" : 1
				}
			},
			{
				"box" : {
					"id" : "obj-ubutton2",
					"maxclass" : "ubutton",
					"numinlets" : 1,
					"numoutlets" : 4,
					"outlettype" : [ "bang", "bang", "", "int" ],
					"patching_rect" : [ 160.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 150.0, 50.0, 64.0, 64.0 ],
					"hltcolor" : [ 1.0, 1.0, 1.0, 0.4 ],
					"handoff" : ""
				}
			},
			{
				"box" : {
					"id" : "obj-press2",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 160.0, 160.0, 30.0, 22.0 ],
					"text" : "2"
				}
			},
			{
				"box" : {
					"id" : "obj-release2",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 192.0, 160.0, 30.0, 22.0 ],
					"text" : "2"
				}
			},
			{
				"box" : {
					"id" : "obj-panel3",
					"maxclass" : "panel",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 230.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 220.0, 50.0, 64.0, 64.0 ],
					"bgcolor" : [ 0.776471, 1.0, 0.0, 1.0 ],
					"mode" : 0,
					"rounded" : 8
				}
			},
			{
				"box" : {
					"id" : "obj-label3",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 254.0, 102.0, 20.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 245.0, 72.0, 20.0, 20.0 ],
					"text" : "4",
					"fontsize" : 14.0,
					"fontface" : 1,
					"textcolor" : [ 0.0, 0.0, 0.0, 1.0 ],
					"ignoreclick" : 1
				}
			},
			{
				"box" : {
					"id" : "obj-ubutton3",
					"maxclass" : "ubutton",
					"numinlets" : 1,
					"numoutlets" : 4,
					"outlettype" : [ "bang", "bang", "", "int" ],
					"patching_rect" : [ 230.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 220.0, 50.0, 64.0, 64.0 ],
					"hltcolor" : [ 1.0, 1.0, 1.0, 0.4 ],
					"handoff" : ""
				}
			},
			{
				"box" : {
					"id" : "obj-press3",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 230.0, 160.0, 30.0, 22.0 ],
					"text" : "3"
				}
			},
			{
				"box" : {
					"id" : "obj-release3",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 262.0, 160.0, 30.0, 22.0 ],
					"text" : "3"
				}
			},
			{
				"box" : {
					"id" : "obj-panel4",
					"maxclass" : "panel",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 300.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 290.0, 50.0, 64.0, 64.0 ],
					"bgcolor" : [ 0.0, 0.898039, 1.0, 1.0 ],
					"mode" : 0,
					"rounded" : 8
				}
			},
			{
				"box" : {
					"id" : "obj-label4",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 324.0, 102.0, 20.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 315.0, 72.0, 20.0, 20.0 ],
					"text" : "5",
					"fontsize" : 14.0,
					"fontface" : 1,
					"textcolor" : [ 0.0, 0.0, 0.0, 1.0 ],
					"ignoreclick" : 1
				}
			},
			{
				"box" : {
					"id" : "obj-ubutton4",
					"maxclass" : "ubutton",
					"numinlets" : 1,
					"numoutlets" : 4,
					"outlettype" : [ "bang", "bang", "", "int" ],
					"patching_rect" : [ 300.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 290.0, 50.0, 64.0, 64.0 ],
					"hltcolor" : [ 1.0, 1.0, 1.0, 0.4 ],
					"handoff" : ""
				}
			},
			{
				"box" : {
					"id" : "obj-press4",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 300.0, 160.0, 30.0, 22.0 ],
					"text" : "4"
				}
			},
			{
				"box" : {
					"id" : "obj-release4",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 332.0, 160.0, 30.0, 22.0 ],
					"text" : "4"
				}
			},
			{
				"box" : {
					"id" : "obj-panel5",
					"maxclass" : "panel",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 370.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 360.0, 50.0, 64.0, 64.0 ],
					"bgcolor" : [ 0.160784, 0.47451, 1.0, 1.0 ],
					"mode" : 0,
					"rounded" : 8
				}
			},
			{
				"box" : {
					"id" : "obj-label5",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 394.0, 102.0, 20.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 385.0, 72.0, 20.0, 20.0 ],
					"text" : "6",
					"fontsize" : 14.0,
					"fontface" : 1,
					"textcolor" : [ 0.0, 0.0, 0.0, 1.0 ],
					"ignoreclick" : 1
				}
			},
			{
				"box" : {
					"id" : "obj-ubutton5",
					"maxclass" : "ubutton",
					"numinlets" : 1,
					"numoutlets" : 4,
					"outlettype" : [ "bang", "bang", "", "int" ],
					"patching_rect" : [ 370.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 360.0, 50.0, 64.0, 64.0 ],
					"hltcolor" : [ 1.0, 1.0, 1.0, 0.4 ],
					"handoff" : ""
				}
			},
			{
				"box" : {
					"id" : "obj-press5",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 370.0, 160.0, 30.0, 22.0 ],
					"text" : "5"
				}
			},
			{
				"box" : {
					"id" : "obj-release5",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 402.0, 160.0, 30.0, 22.0 ],
					"text" : "5"
				}
			},
			{
				"box" : {
					"id" : "obj-panel6",
					"maxclass" : "panel",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 440.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 430.0, 50.0, 64.0, 64.0 ],
					"bgcolor" : [ 0.396078, 0.121569, 1.0, 1.0 ],
					"mode" : 0,
					"rounded" : 8
				}
			},
			{
				"box" : {
					"id" : "obj-label6",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 464.0, 102.0, 20.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 455.0, 72.0, 20.0, 20.0 ],
					"text" : "7",
					"fontsize" : 14.0,
					"fontface" : 1,
					"textcolor" : [ 0.0, 0.0, 0.0, 1.0 ],
					"ignoreclick" : 1
				}
			},
			{
				"box" : {
					"id" : "obj-ubutton6",
					"maxclass" : "ubutton",
					"numinlets" : 1,
					"numoutlets" : 4,
					"outlettype" : [ "bang", "bang", "", "int" ],
					"patching_rect" : [ 440.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 430.0, 50.0, 64.0, 64.0 ],
					"hltcolor" : [ 1.0, 1.0, 1.0, 0.4 ],
					"handoff" : ""
				}
			},
			{
				"box" : {
					"id" : "obj-press6",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 440.0, 160.0, 30.0, 22.0 ],
					"text" : "6"
				}
			},
			{
				"box" : {
					"id" : "obj-release6",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 472.0, 160.0, 30.0, 22.0 ],
					"text" : "6"
				}
			},
			{
				"box" : {
					"id" : "obj-panel7",
					"maxclass" : "panel",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 510.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 500.0, 50.0, 64.0, 64.0 ],
					"bgcolor" : [ 0.835294, 0.0, 0.976471, 1.0 ],
					"mode" : 0,
					"rounded" : 8
				}
			},
			{
				"box" : {
					"id" : "obj-label7",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 534.0, 102.0, 20.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 525.0, 72.0, 20.0, 20.0 ],
					"text" : "8",
					"fontsize" : 14.0,
					"fontface" : 1,
					"textcolor" : [ 0.0, 0.0, 0.0, 1.0 ],
					"ignoreclick" : 1
				}
			},
			{
				"box" : {
					"id" : "obj-ubutton7",
					"maxclass" : "ubutton",
					"numinlets" : 1,
					"numoutlets" : 4,
					"outlettype" : [ "bang", "bang", "", "int" ],
					"patching_rect" : [ 510.0, 80.0, 64.0, 64.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 500.0, 50.0, 64.0, 64.0 ],
					"hltcolor" : [ 1.0, 1.0, 1.0, 0.4 ],
					"handoff" : ""
				}
			},
			{
				"box" : {
					"id" : "obj-press7",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 510.0, 160.0, 30.0, 22.0 ],
					"text" : "7"
				}
			},
			{
				"box" : {
					"id" : "obj-release7",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 542.0, 160.0, 30.0, 22.0 ],
					"text" : "7"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-press",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 200.0, 152.0, 22.0 ],
					"text" : "prepend /genie/press"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-release",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 300.0, 200.0, 166.0, 22.0 ],
					"text" : "prepend /genie/release"
				}
			},
			{
				"box" : {
					"id" : "obj-c-keys",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 240.0, 560.0, 48.0 ],
					"text" : "Computer keys 1-8 (ASCII 49-56). A press becomes 8..15 and a release 0..7, so that one [change] drops the auto-repeat of a held key; [split 8 15] then tells them apart."
				}
			},
			{
				"box" : {
					"id" : "obj-key",
					"maxclass" : "newobj",
					"numinlets" : 0,
					"numoutlets" : 4,
					"outlettype" : [ "int", "int", "int", "int" ],
					"patching_rect" : [ 20.0, 290.0, 33.0, 22.0 ],
					"text" : "key"
				}
			},
			{
				"box" : {
					"id" : "obj-key-49",
					"maxclass" : "newobj",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "int" ],
					"patching_rect" : [ 20.0, 320.0, 40.0, 22.0 ],
					"text" : "- 49"
				}
			},
			{
				"box" : {
					"id" : "obj-key-split",
					"maxclass" : "newobj",
					"numinlets" : 3,
					"numoutlets" : 2,
					"outlettype" : [ "int", "int" ],
					"patching_rect" : [ 20.0, 350.0, 75.0, 22.0 ],
					"text" : "split 0 7"
				}
			},
			{
				"box" : {
					"id" : "obj-key-plus8",
					"maxclass" : "newobj",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "int" ],
					"patching_rect" : [ 20.0, 380.0, 33.0, 22.0 ],
					"text" : "+ 8"
				}
			},
			{
				"box" : {
					"id" : "obj-keyup",
					"maxclass" : "newobj",
					"numinlets" : 0,
					"numoutlets" : 4,
					"outlettype" : [ "int", "int", "int", "int" ],
					"patching_rect" : [ 160.0, 290.0, 47.0, 22.0 ],
					"text" : "keyup"
				}
			},
			{
				"box" : {
					"id" : "obj-keyup-49",
					"maxclass" : "newobj",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "int" ],
					"patching_rect" : [ 160.0, 320.0, 40.0, 22.0 ],
					"text" : "- 49"
				}
			},
			{
				"box" : {
					"id" : "obj-keyup-split",
					"maxclass" : "newobj",
					"numinlets" : 3,
					"numoutlets" : 2,
					"outlettype" : [ "int", "int" ],
					"patching_rect" : [ 160.0, 350.0, 75.0, 22.0 ],
					"text" : "split 0 7"
				}
			},
			{
				"box" : {
					"id" : "obj-change",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 3,
					"outlettype" : [ "", "int", "int" ],
					"patching_rect" : [ 20.0, 410.0, 75.0, 22.0 ],
					"text" : "change -1"
				}
			},
			{
				"box" : {
					"id" : "obj-updown",
					"maxclass" : "newobj",
					"numinlets" : 3,
					"numoutlets" : 2,
					"outlettype" : [ "int", "int" ],
					"patching_rect" : [ 20.0, 440.0, 82.0, 22.0 ],
					"text" : "split 8 15"
				}
			},
			{
				"box" : {
					"id" : "obj-down-8",
					"maxclass" : "newobj",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "int" ],
					"patching_rect" : [ 20.0, 470.0, 33.0, 22.0 ],
					"text" : "- 8"
				}
			},
			{
				"box" : {
					"id" : "obj-c-controls",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 620.0, 50.0, 150.0, 48.0 ],
					"text" : "Controls: all of them leave through [udpsend]."
				}
			},
			{
				"box" : {
					"id" : "obj-sustain",
					"maxclass" : "toggle",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "int" ],
					"patching_rect" : [ 620.0, 80.0, 24.0, 24.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 10.0, 130.0, 24.0, 24.0 ]
				}
			},
			{
				"box" : {
					"id" : "obj-sustain-label",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 650.0, 82.0, 60.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 38.0, 132.0, 60.0, 20.0 ],
					"text" : "sustain"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-pedal",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 620.0, 115.0, 152.0, 22.0 ],
					"text" : "prepend /genie/pedal"
				}
			},
			{
				"box" : {
					"id" : "obj-temperature",
					"maxclass" : "dial",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "float" ],
					"patching_rect" : [ 780.0, 75.0, 40.0, 40.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 110.0, 120.0, 40.0, 40.0 ],
					"floatoutput" : 1,
					"size" : 1.0,
					"parameter_enable" : 0
				}
			},
			{
				"box" : {
					"id" : "obj-temperature-show",
					"maxclass" : "flonum",
					"numinlets" : 1,
					"numoutlets" : 2,
					"outlettype" : [ "", "bang" ],
					"patching_rect" : [ 830.0, 84.0, 50.0, 22.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 155.0, 130.0, 50.0, 22.0 ],
					"format" : 6,
					"parameter_enable" : 0
				}
			},
			{
				"box" : {
					"id" : "obj-temperature-label",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 885.0, 84.0, 110.0, 34.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 100.0, 160.0, 110.0, 20.0 ],
					"text" : "temperature 0..1"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-temperature",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 780.0, 125.0, 194.0, 22.0 ],
					"text" : "prepend /genie/temperature"
				}
			},
			{
				"box" : {
					"id" : "obj-c-range",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 620.0, 160.0, 320.0, 34.0 ],
					"text" : "key range: lowest and highest MIDI pitch (21..108)"
				}
			},
			{
				"box" : {
					"id" : "obj-range-label",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 740.0, 187.0, 70.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 245.0, 160.0, 70.0, 20.0 ],
					"text" : "key range"
				}
			},
			{
				"box" : {
					"id" : "obj-range-low",
					"maxclass" : "number",
					"numinlets" : 1,
					"numoutlets" : 2,
					"outlettype" : [ "", "bang" ],
					"patching_rect" : [ 620.0, 185.0, 50.0, 22.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 225.0, 130.0, 50.0, 22.0 ],
					"minimum" : 21,
					"maximum" : 108,
					"parameter_enable" : 0
				}
			},
			{
				"box" : {
					"id" : "obj-range-high",
					"maxclass" : "number",
					"numinlets" : 1,
					"numoutlets" : 2,
					"outlettype" : [ "", "bang" ],
					"patching_rect" : [ 680.0, 185.0, 50.0, 22.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 280.0, 130.0, 50.0, 22.0 ],
					"minimum" : 21,
					"maximum" : 108,
					"parameter_enable" : 0
				}
			},
			{
				"box" : {
					"id" : "obj-range-pak",
					"maxclass" : "newobj",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 620.0, 215.0, 82.0, 22.0 ],
					"text" : "pak 21 108"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-range",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 620.0, 245.0, 152.0, 22.0 ],
					"text" : "prepend /genie/range"
				}
			},
			{
				"box" : {
					"id" : "obj-reset",
					"maxclass" : "textbutton",
					"numinlets" : 1,
					"numoutlets" : 3,
					"outlettype" : [ "", "", "int" ],
					"patching_rect" : [ 820.0, 185.0, 70.0, 24.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 350.0, 128.0, 70.0, 26.0 ],
					"text" : "reset",
					"mode" : 0,
					"parameter_enable" : 0
				}
			},
			{
				"box" : {
					"id" : "obj-reset-msg",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 820.0, 215.0, 96.0, 22.0 ],
					"text" : "/genie/reset"
				}
			},
			{
				"box" : {
					"id" : "obj-panic",
					"maxclass" : "textbutton",
					"numinlets" : 1,
					"numoutlets" : 3,
					"outlettype" : [ "", "", "int" ],
					"patching_rect" : [ 920.0, 185.0, 70.0, 24.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 430.0, 128.0, 70.0, 26.0 ],
					"text" : "panic",
					"mode" : 0,
					"parameter_enable" : 0
				}
			},
			{
				"box" : {
					"id" : "obj-panic-t",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 2,
					"outlettype" : [ "bang", "bang" ],
					"patching_rect" : [ 920.0, 215.0, 47.0, 22.0 ],
					"text" : "t b b"
				}
			},
			{
				"box" : {
					"id" : "obj-panic-msg",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 920.0, 245.0, 96.0, 22.0 ],
					"text" : "/genie/panic"
				}
			},
			{
				"box" : {
					"id" : "obj-c-panic",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 820.0, 270.0, 260.0, 48.0 ],
					"text" : "panic: the bridge turns every note off, and [flush] silences the notes this patch let through, at once."
				}
			},
			{
				"box" : {
					"id" : "obj-c-status",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 620.0, 320.0, 420.0, 34.0 ],
					"text" : "Once a second, ask the bridge for its status (counters and latency)."
				}
			},
			{
				"box" : {
					"id" : "obj-loadbang",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "bang" ],
					"patching_rect" : [ 620.0, 350.0, 68.0, 22.0 ],
					"text" : "loadbang"
				}
			},
			{
				"box" : {
					"id" : "obj-metro",
					"maxclass" : "newobj",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "bang" ],
					"patching_rect" : [ 620.0, 380.0, 82.0, 22.0 ],
					"text" : "metro 1000"
				}
			},
			{
				"box" : {
					"id" : "obj-status-msg",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 620.0, 410.0, 103.0, 22.0 ],
					"text" : "/genie/status"
				}
			},
			{
				"box" : {
					"id" : "obj-init-temperature",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 740.0, 380.0, 68.0, 22.0 ],
					"text" : "set 0.25"
				}
			},
			{
				"box" : {
					"id" : "obj-init-low",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 820.0, 380.0, 54.0, 22.0 ],
					"text" : "set 21"
				}
			},
			{
				"box" : {
					"id" : "obj-init-high",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 880.0, 380.0, 61.0, 22.0 ],
					"text" : "set 108"
				}
			},
			{
				"box" : {
					"id" : "obj-udpsend",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 520.0, 173.0, 22.0 ],
					"text" : "udpsend 127.0.0.1 57130"
				}
			},
			{
				"box" : {
					"id" : "obj-c-udpsend",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 200.0, 520.0, 400.0, 34.0 ],
					"text" : "OSC out to the bridge: [udpsend] turns '/genie/press 3' into an OSC message with one int."
				}
			},
			{
				"box" : {
					"id" : "obj-c-receive",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 570.0, 700.0, 34.0 ],
					"text" : "OSC in: the bridge sends every note to its fixed reply port 57131 (Max's udpsend cannot hear replies)."
				}
			},
			{
				"box" : {
					"id" : "obj-udpreceive",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 600.0, 124.0, 22.0 ],
					"text" : "udpreceive 57131"
				}
			},
			{
				"box" : {
					"id" : "obj-route",
					"maxclass" : "newobj",
					"numinlets" : 5,
					"numoutlets" : 5,
					"outlettype" : [ "", "", "", "", "" ],
					"patching_rect" : [ 20.0, 630.0, 439.0, 22.0 ],
					"text" : "route /genie/noteon /genie/noteoff /genie/status /genie/error"
				}
			},
			{
				"box" : {
					"id" : "obj-noteon-unpack",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 3,
					"outlettype" : [ "int", "int", "int" ],
					"patching_rect" : [ 20.0, 665.0, 96.0, 22.0 ],
					"text" : "unpack 0 0 0"
				}
			},
			{
				"box" : {
					"id" : "obj-noteoff-unpack",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 2,
					"outlettype" : [ "int", "int" ],
					"patching_rect" : [ 160.0, 665.0, 82.0, 22.0 ],
					"text" : "unpack 0 0"
				}
			},
			{
				"box" : {
					"id" : "obj-noteoff-t",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 2,
					"outlettype" : [ "int", "int" ],
					"patching_rect" : [ 160.0, 695.0, 47.0, 22.0 ],
					"text" : "t i 0"
				}
			},
			{
				"box" : {
					"id" : "obj-flush",
					"maxclass" : "newobj",
					"numinlets" : 2,
					"numoutlets" : 2,
					"outlettype" : [ "int", "int" ],
					"patching_rect" : [ 20.0, 730.0, 47.0, 22.0 ],
					"text" : "flush"
				}
			},
			{
				"box" : {
					"id" : "obj-c-flush",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 70.0, 730.0, 300.0, 34.0 ],
					"text" : "[flush] remembers the notes that are on, for panic."
				}
			},
			{
				"box" : {
					"id" : "obj-noteout",
					"maxclass" : "newobj",
					"numinlets" : 3,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 820.0, 61.0, 22.0 ],
					"text" : "noteout"
				}
			},
			{
				"box" : {
					"id" : "obj-kslider",
					"maxclass" : "kslider",
					"numinlets" : 2,
					"numoutlets" : 2,
					"outlettype" : [ "int", "int" ],
					"patching_rect" : [ 20.0, 760.0, 560.0, 50.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 10.0, 190.0, 590.0, 56.0 ],
					"mode" : 1,
					"offset" : 12,
					"range" : 97,
					"parameter_enable" : 0
				}
			},
			{
				"box" : {
					"id" : "obj-c-midi",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 340.0, 640.0, 300.0, 48.0 ],
					"text" : "MIDI output: pick a port (or double-click [noteout]); the channel box sets the MIDI channel."
				}
			},
			{
				"box" : {
					"id" : "obj-midiinfo",
					"maxclass" : "newobj",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 340.0, 700.0, 68.0, 22.0 ],
					"text" : "midiinfo"
				}
			},
			{
				"box" : {
					"id" : "obj-midi-menu",
					"maxclass" : "umenu",
					"numinlets" : 1,
					"numoutlets" : 3,
					"outlettype" : [ "int", "", "" ],
					"patching_rect" : [ 340.0, 730.0, 200.0, 22.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 85.0, 256.0, 230.0, 22.0 ],
					"parameter_enable" : 0
				}
			},
			{
				"box" : {
					"id" : "obj-midi-label",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 430.0, 700.0, 60.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 10.0, 256.0, 70.0, 20.0 ],
					"text" : "MIDI out"
				}
			},
			{
				"box" : {
					"id" : "obj-midi-channel",
					"maxclass" : "number",
					"numinlets" : 1,
					"numoutlets" : 2,
					"outlettype" : [ "", "bang" ],
					"patching_rect" : [ 560.0, 730.0, 50.0, 22.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 390.0, 256.0, 50.0, 22.0 ],
					"minimum" : 1,
					"maximum" : 16,
					"parameter_enable" : 0
				}
			},
			{
				"box" : {
					"id" : "obj-channel-label",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 560.0, 705.0, 60.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 330.0, 256.0, 60.0, 20.0 ],
					"text" : "channel"
				}
			},
			{
				"box" : {
					"id" : "obj-init-channel",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 950.0, 380.0, 30.0, 22.0 ],
					"text" : "1"
				}
			},
			{
				"box" : {
					"id" : "obj-c-statusline",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 640.0, 600.0, 420.0, 34.0 ],
					"text" : "Status reply: pairs 'name value ...'. [zl iter 2] makes each pair a message named after its field, [route] keeps four."
				}
			},
			{
				"box" : {
					"id" : "obj-status-iter",
					"maxclass" : "newobj",
					"numinlets" : 2,
					"numoutlets" : 2,
					"outlettype" : [ "", "" ],
					"patching_rect" : [ 640.0, 640.0, 75.0, 22.0 ],
					"text" : "zl iter 2"
				}
			},
			{
				"box" : {
					"id" : "obj-status-fields",
					"maxclass" : "newobj",
					"numinlets" : 5,
					"numoutlets" : 5,
					"outlettype" : [ "", "", "", "", "" ],
					"patching_rect" : [ 640.0, 670.0, 369.0, 22.0 ],
					"text" : "route latency_p50_us latency_p99_us notes_on errors"
				}
			},
			{
				"box" : {
					"id" : "obj-status-pak",
					"maxclass" : "newobj",
					"numinlets" : 4,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 640.0, 700.0, 103.0, 22.0 ],
					"text" : "pak 0. 0. 0 0"
				}
			},
			{
				"box" : {
					"id" : "obj-status-format",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 640.0, 730.0, 420.0, 22.0 ],
					"text" : "set bridge latency p50 $1 us / p99 $2 us - notes $3 - errors $4"
				}
			},
			{
				"box" : {
					"id" : "obj-status-line",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 640.0, 770.0, 420.0, 22.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 10.0, 288.0, 590.0, 22.0 ],
					"text" : "waiting for the bridge (start: pianogenie serve)"
				}
			},
			{
				"box" : {
					"id" : "obj-error-prepend",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 640.0, 810.0, 138.0, 22.0 ],
					"text" : "prepend set error:"
				}
			},
			{
				"box" : {
					"id" : "obj-error-line",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 640.0, 840.0, 420.0, 22.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 10.0, 316.0, 590.0, 22.0 ],
					"text" : "no errors"
				}
			},
			{
				"box" : {
					"id" : "obj-p-title",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 880.0, 200.0, 20.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 10.0, 8.0, 200.0, 30.0 ],
					"text" : "Piano Genie",
					"fontsize" : 20.0,
					"fontface" : 1
				}
			},
			{
				"box" : {
					"id" : "obj-p-hint",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 880.0, 400.0, 34.0 ],
					"presentation" : 1,
					"presentation_rect" : [ 215.0, 14.0, 390.0, 20.0 ],
					"text" : "click and hold a button, or hold keys 1-8 - start the bridge first: pianogenie serve"
				}
			}
		],
		"lines" : [
			{
				"patchline" : {
					"destination" : [ "obj-press0", 0 ],
					"source" : [ "obj-ubutton0", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-release0", 0 ],
					"source" : [ "obj-ubutton0", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-press", 0 ],
					"source" : [ "obj-press0", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-release", 0 ],
					"source" : [ "obj-release0", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-press1", 0 ],
					"source" : [ "obj-ubutton1", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-release1", 0 ],
					"source" : [ "obj-ubutton1", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-press", 0 ],
					"source" : [ "obj-press1", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-release", 0 ],
					"source" : [ "obj-release1", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-press2", 0 ],
					"source" : [ "obj-ubutton2", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-release2", 0 ],
					"source" : [ "obj-ubutton2", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-press", 0 ],
					"source" : [ "obj-press2", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-release", 0 ],
					"source" : [ "obj-release2", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-press3", 0 ],
					"source" : [ "obj-ubutton3", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-release3", 0 ],
					"source" : [ "obj-ubutton3", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-press", 0 ],
					"source" : [ "obj-press3", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-release", 0 ],
					"source" : [ "obj-release3", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-press4", 0 ],
					"source" : [ "obj-ubutton4", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-release4", 0 ],
					"source" : [ "obj-ubutton4", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-press", 0 ],
					"source" : [ "obj-press4", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-release", 0 ],
					"source" : [ "obj-release4", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-press5", 0 ],
					"source" : [ "obj-ubutton5", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-release5", 0 ],
					"source" : [ "obj-ubutton5", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-press", 0 ],
					"source" : [ "obj-press5", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-release", 0 ],
					"source" : [ "obj-release5", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-press6", 0 ],
					"source" : [ "obj-ubutton6", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-release6", 0 ],
					"source" : [ "obj-ubutton6", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-press", 0 ],
					"source" : [ "obj-press6", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-release", 0 ],
					"source" : [ "obj-release6", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-press7", 0 ],
					"source" : [ "obj-ubutton7", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-release7", 0 ],
					"source" : [ "obj-ubutton7", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-press", 0 ],
					"source" : [ "obj-press7", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-release", 0 ],
					"source" : [ "obj-release7", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-key-49", 0 ],
					"source" : [ "obj-key", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-key-split", 0 ],
					"source" : [ "obj-key-49", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-key-plus8", 0 ],
					"source" : [ "obj-key-split", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-change", 0 ],
					"source" : [ "obj-key-plus8", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-keyup-49", 0 ],
					"source" : [ "obj-keyup", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-keyup-split", 0 ],
					"source" : [ "obj-keyup-49", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-change", 0 ],
					"source" : [ "obj-keyup-split", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-updown", 0 ],
					"source" : [ "obj-change", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-down-8", 0 ],
					"source" : [ "obj-updown", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-press", 0 ],
					"source" : [ "obj-down-8", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-release", 0 ],
					"source" : [ "obj-updown", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-pedal", 0 ],
					"source" : [ "obj-sustain", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-temperature-show", 0 ],
					"source" : [ "obj-temperature", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-temperature", 0 ],
					"source" : [ "obj-temperature", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-range-pak", 0 ],
					"source" : [ "obj-range-low", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-range-pak", 1 ],
					"source" : [ "obj-range-high", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-range", 0 ],
					"source" : [ "obj-range-pak", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-reset-msg", 0 ],
					"source" : [ "obj-reset", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-panic-t", 0 ],
					"source" : [ "obj-panic", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-flush", 0 ],
					"source" : [ "obj-panic-t", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-panic-msg", 0 ],
					"source" : [ "obj-panic-t", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-metro", 0 ],
					"source" : [ "obj-loadbang", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-status-msg", 0 ],
					"source" : [ "obj-metro", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-init-temperature", 0 ],
					"source" : [ "obj-loadbang", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-temperature", 0 ],
					"source" : [ "obj-init-temperature", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-init-low", 0 ],
					"source" : [ "obj-loadbang", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-range-low", 0 ],
					"source" : [ "obj-init-low", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-init-high", 0 ],
					"source" : [ "obj-loadbang", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-range-high", 0 ],
					"source" : [ "obj-init-high", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-prepend-press", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-prepend-release", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-prepend-pedal", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-prepend-temperature", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-prepend-range", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-reset-msg", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-panic-msg", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-status-msg", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-route", 0 ],
					"source" : [ "obj-udpreceive", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-noteon-unpack", 0 ],
					"source" : [ "obj-route", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-noteoff-unpack", 0 ],
					"source" : [ "obj-route", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-noteoff-t", 0 ],
					"source" : [ "obj-noteoff-unpack", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-flush", 1 ],
					"source" : [ "obj-noteon-unpack", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-flush", 0 ],
					"source" : [ "obj-noteon-unpack", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-flush", 1 ],
					"source" : [ "obj-noteoff-t", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-flush", 0 ],
					"source" : [ "obj-noteoff-t", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-noteout", 1 ],
					"source" : [ "obj-flush", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-noteout", 0 ],
					"source" : [ "obj-flush", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-kslider", 1 ],
					"source" : [ "obj-flush", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-kslider", 0 ],
					"source" : [ "obj-flush", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-midiinfo", 0 ],
					"source" : [ "obj-loadbang", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-midi-menu", 0 ],
					"source" : [ "obj-midiinfo", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-noteout", 0 ],
					"source" : [ "obj-midi-menu", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-noteout", 2 ],
					"source" : [ "obj-midi-channel", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-init-channel", 0 ],
					"source" : [ "obj-loadbang", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-midi-channel", 0 ],
					"source" : [ "obj-init-channel", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-status-iter", 0 ],
					"source" : [ "obj-route", 2 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-status-fields", 0 ],
					"source" : [ "obj-status-iter", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-status-pak", 0 ],
					"source" : [ "obj-status-fields", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-status-pak", 1 ],
					"source" : [ "obj-status-fields", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-status-pak", 2 ],
					"source" : [ "obj-status-fields", 2 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-status-pak", 3 ],
					"source" : [ "obj-status-fields", 3 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-status-format", 0 ],
					"source" : [ "obj-status-pak", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-status-line", 0 ],
					"source" : [ "obj-status-format", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-error-prepend", 0 ],
					"source" : [ "obj-route", 3 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-error-line", 0 ],
					"source" : [ "obj-error-prepend", 0 ]
				}
			}
		],
		"dependency_cache" : [ ],
		"autosave" : 0
	}
}
