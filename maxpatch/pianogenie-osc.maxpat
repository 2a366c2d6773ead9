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
		"rect" : [ 120.0, 100.0, 1000.0, 700.0 ],
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
		"description" : "Piano Genie Bridge as one object: messages in, notes out. [pianogenie-osc PORT HOST REPLY_PORT]; see pianogenie-osc.maxhelp.",
		"boxes" : [
			{
				"box" : {
					"id" : "obj-c-title",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 10.0, 940.0, 48.0 ],
					"text" : "[pianogenie-osc PORT HOST REPLY_PORT]: the Piano Genie bridge (pianogenie serve) as one object for your own patch. Messages in the inlet become OSC to the bridge at HOST:PORT (default 127.0.0.1:57130); what the bridge sends to REPLY_PORT (default 57131, its --reply-to) comes out of the five outlets. Its help file, pianogenie-osc.maxhelp, shows every message."
				}
			},
			{
				"box" : {
					"id" : "obj-inlet",
					"maxclass" : "inlet",
					"numinlets" : 0,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 70.0, 30.0, 30.0 ],
					"comment" : "press BUTTON [VELOCITY], release BUTTON, pedal 0|1, temperature 0..1, range LOW HIGH, keys PITCH..., reset, panic, status, model NAME, models; host HOST, port PORT, reply_port PORT"
				}
			},
			{
				"box" : {
					"id" : "obj-route",
					"maxclass" : "newobj",
					"numinlets" : 15,
					"numoutlets" : 15,
					"outlettype" : [ "", "", "", "", "", "", "", "", "", "", "", "", "", "", "" ],
					"patching_rect" : [ 20.0, 120.0, 900.0, 22.0 ],
					"text" : "route press release pedal temperature range keys reset panic status model models host port reply_port"
				}
			},
			{
				"box" : {
					"id" : "obj-c-route",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 60.0, 70.0, 860.0, 34.0 ],
					"text" : "One message per action: its selector picks the OSC address. [prepend] keeps Max's types: an int stays an int (a button, a pitch), a float a float (the temperature)."
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-press",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 160.0, 154.0, 22.0 ],
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
					"patching_rect" : [ 84.0, 190.0, 168.0, 22.0 ],
					"text" : "prepend /genie/release"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-pedal",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 148.0, 220.0, 154.0, 22.0 ],
					"text" : "prepend /genie/pedal"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-temperature",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 212.0, 250.0, 196.0, 22.0 ],
					"text" : "prepend /genie/temperature"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-range",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 276.0, 160.0, 154.0, 22.0 ],
					"text" : "prepend /genie/range"
				}
			},
			{
				"box" : {
					"id" : "obj-keys-bang",
					"maxclass" : "newobj",
					"numinlets" : 2,
					"numoutlets" : 2,
					"outlettype" : [ "", "" ],
					"patching_rect" : [ 340.0, 190.0, 84.0, 22.0 ],
					"text" : "route bang"
				}
			},
			{
				"box" : {
					"id" : "obj-msg-keys",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 340.0, 290.0, 91.0, 22.0 ],
					"text" : "/genie/keys"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-keys",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 440.0, 290.0, 147.0, 22.0 ],
					"text" : "prepend /genie/keys"
				}
			},
			{
				"box" : {
					"id" : "obj-msg-reset",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 404.0, 220.0, 98.0, 22.0 ],
					"text" : "/genie/reset"
				}
			},
			{
				"box" : {
					"id" : "obj-msg-panic",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 468.0, 250.0, 98.0, 22.0 ],
					"text" : "/genie/panic"
				}
			},
			{
				"box" : {
					"id" : "obj-msg-status",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 532.0, 160.0, 105.0, 22.0 ],
					"text" : "/genie/status"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-model",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 596.0, 190.0, 154.0, 22.0 ],
					"text" : "prepend /genie/model"
				}
			},
			{
				"box" : {
					"id" : "obj-msg-models",
					"maxclass" : "message",
					"numinlets" : 2,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 660.0, 220.0, 105.0, 22.0 ],
					"text" : "/genie/models"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-host",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 640.0, 290.0, 98.0, 22.0 ],
					"text" : "prepend host"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-port",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 640.0, 320.0, 98.0, 22.0 ],
					"text" : "prepend port"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-reply-port",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 760.0, 350.0, 98.0, 22.0 ],
					"text" : "prepend port"
				}
			},
			{
				"box" : {
					"id" : "obj-prepend-unknown",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 940.0, 170.0, 119.0, 22.0 ],
					"text" : "prepend unknown"
				}
			},
			{
				"box" : {
					"id" : "obj-print",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 940.0, 200.0, 154.0, 22.0 ],
					"text" : "print pianogenie-osc"
				}
			},
			{
				"box" : {
					"id" : "obj-udpsend",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 390.0, 175.0, 22.0 ],
					"text" : "udpsend 127.0.0.1 57130"
				}
			},
			{
				"box" : {
					"id" : "obj-c-udpsend",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 200.0, 390.0, 400.0, 20.0 ],
					"text" : "OSC out to the bridge (udpsend cannot hear its answers, hence udpreceive)."
				}
			},
			{
				"box" : {
					"id" : "obj-c-args",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 600.0, 440.0, 360.0, 48.0 ],
					"text" : "On load: the creation arguments, or the bridge's defaults for those not given, set where to send and where to listen."
				}
			},
			{
				"box" : {
					"id" : "obj-patcherargs",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 2,
					"outlettype" : [ "", "" ],
					"patching_rect" : [ 600.0, 500.0, 245.0, 22.0 ],
					"text" : "patcherargs 57130 127.0.0.1 57131"
				}
			},
			{
				"box" : {
					"id" : "obj-args-unpack",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 3,
					"outlettype" : [ "int", "", "int" ],
					"patching_rect" : [ 600.0, 530.0, 98.0, 22.0 ],
					"text" : "unpack 0 s 0"
				}
			},
			{
				"box" : {
					"id" : "obj-udpreceive",
					"maxclass" : "newobj",
					"numinlets" : 1,
					"numoutlets" : 1,
					"outlettype" : [ "" ],
					"patching_rect" : [ 20.0, 450.0, 126.0, 22.0 ],
					"text" : "udpreceive 57131"
				}
			},
			{
				"box" : {
					"id" : "obj-c-udpreceive",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 150.0, 450.0, 420.0, 34.0 ],
					"text" : "OSC in: the bridge sends every note to its --reply-to port (57131 unless told otherwise)."
				}
			},
			{
				"box" : {
					"id" : "obj-reply-route",
					"maxclass" : "newobj",
					"numinlets" : 5,
					"numoutlets" : 5,
					"outlettype" : [ "", "", "", "", "" ],
					"patching_rect" : [ 20.0, 500.0, 441.0, 22.0 ],
					"text" : "route /genie/noteon /genie/noteoff /genie/status /genie/error"
				}
			},
			{
				"box" : {
					"id" : "obj-out-noteon",
					"maxclass" : "outlet",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 570.0, 30.0, 30.0 ],
					"comment" : "noteon: pitch velocity button (a note starts)"
				}
			},
			{
				"box" : {
					"id" : "obj-out-noteoff",
					"maxclass" : "outlet",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 130.0, 570.0, 30.0, 30.0 ],
					"comment" : "noteoff: pitch button (it ends)"
				}
			},
			{
				"box" : {
					"id" : "obj-out-status",
					"maxclass" : "outlet",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 240.0, 570.0, 30.0, 30.0 ],
					"comment" : "status: name value pairs (counters, latency_p50_us, latency_p99_us, model ...)"
				}
			},
			{
				"box" : {
					"id" : "obj-out-error",
					"maxclass" : "outlet",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 350.0, 570.0, 30.0, 30.0 ],
					"comment" : "error: why the bridge refused a message"
				}
			},
			{
				"box" : {
					"id" : "obj-out-other",
					"maxclass" : "outlet",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 460.0, 570.0, 30.0, 30.0 ],
					"comment" : "everything else the bridge sends, address first: /genie/model NAME, /genie/models NAME..."
				}
			},
			{
				"box" : {
					"id" : "obj-c-outlets",
					"maxclass" : "comment",
					"numinlets" : 1,
					"numoutlets" : 0,
					"patching_rect" : [ 20.0, 610.0, 940.0, 34.0 ],
					"text" : "Outlets, left to right: noteon (pitch velocity button), noteoff (pitch button), status (name value ...), error (reason), everything else."
				}
			}
		],
		"lines" : [
			{
				"patchline" : {
					"destination" : [ "obj-route", 0 ],
					"source" : [ "obj-inlet", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-press", 0 ],
					"source" : [ "obj-route", 0 ]
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
					"destination" : [ "obj-prepend-release", 0 ],
					"source" : [ "obj-route", 1 ]
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
					"destination" : [ "obj-prepend-pedal", 0 ],
					"source" : [ "obj-route", 2 ]
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
					"destination" : [ "obj-prepend-temperature", 0 ],
					"source" : [ "obj-route", 3 ]
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
					"destination" : [ "obj-prepend-range", 0 ],
					"source" : [ "obj-route", 4 ]
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
					"destination" : [ "obj-keys-bang", 0 ],
					"source" : [ "obj-route", 5 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-msg-keys", 0 ],
					"source" : [ "obj-keys-bang", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-keys", 0 ],
					"source" : [ "obj-keys-bang", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-msg-keys", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-prepend-keys", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-msg-reset", 0 ],
					"source" : [ "obj-route", 6 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-msg-reset", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-msg-panic", 0 ],
					"source" : [ "obj-route", 7 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-msg-panic", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-msg-status", 0 ],
					"source" : [ "obj-route", 8 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-msg-status", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-model", 0 ],
					"source" : [ "obj-route", 9 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-prepend-model", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-msg-models", 0 ],
					"source" : [ "obj-route", 10 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-msg-models", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-host", 0 ],
					"source" : [ "obj-route", 11 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-prepend-host", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-port", 0 ],
					"source" : [ "obj-route", 12 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpsend", 0 ],
					"source" : [ "obj-prepend-port", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-reply-port", 0 ],
					"source" : [ "obj-route", 13 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-udpreceive", 0 ],
					"source" : [ "obj-prepend-reply-port", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-unknown", 0 ],
					"source" : [ "obj-route", 14 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-print", 0 ],
					"source" : [ "obj-prepend-unknown", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-args-unpack", 0 ],
					"source" : [ "obj-patcherargs", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-port", 0 ],
					"source" : [ "obj-args-unpack", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-host", 0 ],
					"source" : [ "obj-args-unpack", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-prepend-reply-port", 0 ],
					"source" : [ "obj-args-unpack", 2 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-reply-route", 0 ],
					"source" : [ "obj-udpreceive", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-out-noteon", 0 ],
					"source" : [ "obj-reply-route", 0 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-out-noteoff", 0 ],
					"source" : [ "obj-reply-route", 1 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-out-status", 0 ],
					"source" : [ "obj-reply-route", 2 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-out-error", 0 ],
					"source" : [ "obj-reply-route", 3 ]
				}
			},
			{
				"patchline" : {
					"destination" : [ "obj-out-other", 0 ],
					"source" : [ "obj-reply-route", 4 ]
				}
			}
		],
		"dependency_cache" : [ ],
		"autosave" : 0
	}
}
