/* A small real-time LV2 host for the Piano Genie plugin's tests and benchmark, on liblilv.
 *
 * It runs K instances side by side, block by block, paced to the wall clock as a DAW's audio thread is (or as fast as
 * it can with --freewheel), feeds each the MIDI and parameter changes read from stdin, and prints every MIDI event
 * each instance writes, with its absolute frame, plus its output controls when they change.
 *
 *   pg-lv2host [--bundle DIR] [--block N] [--rate SR] [--seconds S] [--instances K] [--state KEY=VALUE]... [--freewheel] URI
 *   stdin:  INSTANCE FRAME midi HEX...          e.g. "0 4800 midi 90 3c 64"
 *           INSTANCE FRAME param SYMBOL VALUE   e.g. "1 0 param temperature 0.5"
 *   stdout: "running" once the first block ran, then "out INSTANCE FRAME HEX...", "ctl INSTANCE FRAME SYMBOL VALUE",
 *           and at the end "stats INSTANCE blocks N audio_mismatches N max_run_us X p99_run_us X".
 */
#define _GNU_SOURCE
#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/atom/util.h>
#include <lv2/buf-size/buf-size.h>
#include <lv2/midi/midi.h>
#include <lv2/options/options.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_INSTANCES 4
#define MAX_PORTS 32
#define MAX_EVENTS 100000
#define MAX_STATES 4
#define SEQ_BYTES 65536

static void die(const char *what) { fprintf(stderr, "pg-lv2host: %s\n", what); exit(2); }

/* URID map: a linear table is plenty for the few URIs a plugin asks for. */
static char *uris[512];
static int nuris;
static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri) {
    (void)h;
    for (int i = 0; i < nuris; ++i) if (strcmp(uris[i], uri) == 0) return (LV2_URID)(i + 1);
    if (nuris == 512) return 0;
    uris[nuris] = strdup(uri);
    return (LV2_URID)(++nuris);
}
static const char *unmap_uri(LV2_URID_Unmap_Handle h, LV2_URID urid) {
    (void)h;
    return (urid >= 1 && (int)urid <= nuris) ? uris[urid - 1] : NULL;
}

typedef struct { int instance; long frame; int is_param; char symbol[64]; float value; uint8_t bytes[3]; int size; } Event;
static Event events[MAX_EVENTS];
static int nevents;

static const char *state_keys[MAX_STATES], *state_values[MAX_STATES];
static int nstates;
static const char *plugin_uri_global;

static const void *retrieve(LV2_State_Handle h, uint32_t key, size_t *size, uint32_t *type, uint32_t *flags) {
    (void)h;
    const char *name = unmap_uri(NULL, key);
    for (int i = 0; i < nstates && name; ++i) {
        char full[256];
        snprintf(full, sizeof full, "%s#%s", plugin_uri_global, state_keys[i]);
        if (strcmp(full, name) == 0) {
            *size = strlen(state_values[i]) + 1;
            *type = map_uri(NULL, LV2_ATOM__String);
            *flags = LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE;
            return state_values[i];
        }
    }
    return NULL;
}

/* LV2 worker: jobs the plugin schedules during run() are done right after it, on this thread, in order. */
typedef struct { uint32_t size; uint8_t data[1024]; } Job;
static Job jobs[64], responses[64];
static int njobs, nresponses;
static LV2_Worker_Status schedule_work(LV2_Worker_Schedule_Handle h, uint32_t size, const void *data) {
    (void)h;
    if (njobs == 64 || size > sizeof jobs[0].data) return LV2_WORKER_ERR_NO_SPACE;
    jobs[njobs].size = size;
    memcpy(jobs[njobs++].data, data, size);
    return LV2_WORKER_SUCCESS;
}
static LV2_Worker_Status respond(LV2_Worker_Respond_Handle h, uint32_t size, const void *data) {
    (void)h;
    if (nresponses == 64 || size > sizeof responses[0].data) return LV2_WORKER_ERR_NO_SPACE;
    responses[nresponses].size = size;
    memcpy(responses[nresponses++].data, data, size);
    return LV2_WORKER_SUCCESS;
}
static void run_worker(LilvInstance *lv, const LV2_Feature *const *features) {
    const LV2_Worker_Interface *w = lilv_instance_get_extension_data(lv, LV2_WORKER__interface);
    if (!w) { njobs = 0; return; }
    LV2_Handle handle = lilv_instance_get_handle(lv);
    for (int i = 0; i < njobs; ++i) w->work(handle, respond, NULL, jobs[i].size, jobs[i].data);
    njobs = 0;
    for (int i = 0; i < nresponses; ++i) w->work_response(handle, responses[i].size, responses[i].data);
    nresponses = 0;
    if (w->end_run) w->end_run(handle);
    (void)features;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct {
    LilvInstance *lv;
    float controls[MAX_PORTS];
    float last_out[MAX_PORTS];
    int is_output_control[MAX_PORTS];
    const char *symbol[MAX_PORTS];
    float *audio_in[2], *audio_out[2];
    LV2_Atom_Sequence *seq_in, *seq_out;
    double *run_us;
    long mismatches;
} Instance;

int main(int argc, char **argv) {
    int block = 128, ninst = 1, freewheel = 0;
    double rate = 48000, seconds = 2;
    const char *uri = NULL, *bundle = NULL;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--block") && i + 1 < argc) block = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rate") && i + 1 < argc) rate = atof(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--instances") && i + 1 < argc) ninst = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--freewheel")) freewheel = 1;
        else if (!strcmp(argv[i], "--bundle") && i + 1 < argc) bundle = argv[++i];
        else if (!strcmp(argv[i], "--state") && i + 1 < argc && nstates < MAX_STATES) {
            char *kv = strdup(argv[++i]), *eq = strchr(kv, '=');
            if (!eq) die("--state wants KEY=VALUE");
            *eq = 0;
            state_keys[nstates] = kv;
            state_values[nstates++] = eq + 1;
        } else if (argv[i][0] != '-') uri = argv[i];
        else die("unknown option (see the comment at the top of pg-lv2host.c)");
    }
    if (!uri || block < 1 || block > 8192 || ninst < 1 || ninst > MAX_INSTANCES || rate < 8000 || seconds <= 0)
        die("usage: pg-lv2host [--bundle DIR] [--block N] [--rate SR] [--seconds S] [--instances K] [--state K=V] [--freewheel] URI");
    plugin_uri_global = uri;

    char line[512];
    while (fgets(line, sizeof line, stdin) && nevents < MAX_EVENTS) {
        Event *e = &events[nevents];
        char kind[16];
        int used = 0;
        if (sscanf(line, "%d %ld %15s %n", &e->instance, &e->frame, kind, &used) < 3) continue;
        if (e->instance < 0 || e->instance >= ninst || e->frame < 0) die("event for no instance, or before frame 0");
        if (!strcmp(kind, "param")) {
            e->is_param = 1;
            if (sscanf(line + used, "%63s %f", e->symbol, &e->value) != 2) die("param wants SYMBOL VALUE");
        } else if (!strcmp(kind, "midi")) {
            unsigned b[3];
            e->size = sscanf(line + used, "%x %x %x", &b[0], &b[1], &b[2]);
            if (e->size < 1) die("midi wants 1 to 3 hex bytes");
            for (int k = 0; k < e->size; ++k) e->bytes[k] = (uint8_t)b[k];
        } else die("event kind must be midi or param");
        ++nevents;
    }
    for (int i = 1; i < nevents; ++i)
        if (events[i].frame < events[i - 1].frame) die("events must be in frame order");

    LilvWorld *world = lilv_world_new();
    if (bundle) {  /* just this bundle: the build's, not whatever is installed */
        char bundle_uri[4096];
        snprintf(bundle_uri, sizeof bundle_uri, "file://%s/", bundle);
        LilvNode *node = lilv_new_uri(world, bundle_uri);
        lilv_world_load_bundle(world, node);
        lilv_node_free(node);
    } else {
        lilv_world_load_all(world);
    }
    LilvNode *uri_node = lilv_new_uri(world, uri);
    const LilvPlugin *plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), uri_node);
    if (!plugin) die("plugin not found on LV2_PATH");

    LV2_URID_Map map = {NULL, map_uri};
    LV2_URID_Unmap unmap = {NULL, unmap_uri};
    int32_t max_block = block, min_block = 1;
    LV2_Options_Option options[] = {
        {LV2_OPTIONS_INSTANCE, 0, map_uri(NULL, LV2_BUF_SIZE__maxBlockLength), sizeof(int32_t),
         map_uri(NULL, LV2_ATOM__Int), &max_block},
        {LV2_OPTIONS_INSTANCE, 0, map_uri(NULL, LV2_BUF_SIZE__minBlockLength), sizeof(int32_t),
         map_uri(NULL, LV2_ATOM__Int), &min_block},
        {LV2_OPTIONS_INSTANCE, 0, 0, 0, 0, NULL}};
    LV2_Feature map_f = {LV2_URID__map, &map}, unmap_f = {LV2_URID__unmap, &unmap};
    LV2_Feature opt_f = {LV2_OPTIONS__options, options}, bounded_f = {LV2_BUF_SIZE__boundedBlockLength, NULL};
    LV2_Worker_Schedule schedule = {NULL, schedule_work};
    LV2_Feature worker_f = {LV2_WORKER__schedule, &schedule};
    const LV2_Feature *features[] = {&map_f, &unmap_f, &opt_f, &bounded_f, &worker_f, NULL};
    const LV2_URID midi_event = map_uri(NULL, LV2_MIDI__MidiEvent);
    const LV2_URID atom_sequence = map_uri(NULL, LV2_ATOM__Sequence);
    const LV2_URID atom_chunk = map_uri(NULL, LV2_ATOM__Chunk);

    LilvNode *audio = lilv_new_uri(world, LV2_CORE__AudioPort), *control = lilv_new_uri(world, LV2_CORE__ControlPort);
    LilvNode *input = lilv_new_uri(world, LV2_CORE__InputPort), *atom = lilv_new_uri(world, LV2_ATOM__AtomPort);
    const uint32_t nports = lilv_plugin_get_num_ports(plugin);
    if (nports > MAX_PORTS) die("too many ports");
    float defaults[MAX_PORTS];
    lilv_plugin_get_port_ranges_float(plugin, NULL, NULL, defaults);

    const long total_blocks = (long)ceil(seconds * rate / block);
    Instance inst[MAX_INSTANCES];
    memset(inst, 0, sizeof inst);
    for (int n = 0; n < ninst; ++n) {
        Instance *in = &inst[n];
        in->lv = lilv_plugin_instantiate(plugin, rate, features);
        if (!in->lv) die("instantiate failed");
        in->run_us = calloc((size_t)total_blocks, sizeof(double));
        for (int c = 0; c < 2; ++c) {
            in->audio_in[c] = calloc((size_t)block, sizeof(float));
            in->audio_out[c] = calloc((size_t)block, sizeof(float));
        }
        in->seq_in = aligned_alloc(64, SEQ_BYTES);
        in->seq_out = aligned_alloc(64, SEQ_BYTES);
        int ain = 0, aout = 0, ein = 0;
        for (uint32_t p = 0; p < nports; ++p) {
            const LilvPort *port = lilv_plugin_get_port_by_index(plugin, p);
            const int is_in = lilv_port_is_a(plugin, port, input);
            in->symbol[p] = lilv_node_as_string(lilv_port_get_symbol(plugin, port));
            if (lilv_port_is_a(plugin, port, audio)) {
                lilv_instance_connect_port(in->lv, p, is_in ? in->audio_in[ain++ & 1] : in->audio_out[aout++ & 1]);
            } else if (lilv_port_is_a(plugin, port, control)) {
                in->controls[p] = isnan(defaults[p]) ? 0 : defaults[p];
                in->is_output_control[p] = !is_in;
                in->last_out[p] = NAN;
                lilv_instance_connect_port(in->lv, p, &in->controls[p]);
            } else if (lilv_port_is_a(plugin, port, atom)) {
                lilv_instance_connect_port(in->lv, p, is_in && !ein++ ? (void *)in->seq_in : (void *)in->seq_out);
            } else {
                lilv_instance_connect_port(in->lv, p, NULL);
            }
        }
        if (nstates) {
            const LV2_State_Interface *state = lilv_instance_get_extension_data(in->lv, LV2_STATE__interface);
            if (!state) die("plugin has no state interface");
            state->restore(lilv_instance_get_handle(in->lv), retrieve, NULL, 0, features);
        }
        lilv_instance_activate(in->lv);
    }

    int next_event = 0;
    const double period = block / rate;
    const double start = now_s();
    for (long b = 0; b < total_blocks; ++b) {
        const long first = b * block;
        if (!freewheel) {  /* the audio thread wakes once per period, on the wall clock */
            const double due = start + b * period, wait = due - now_s();
            if (wait > 0) {
                struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
                nanosleep(&ts, NULL);
            }
        }
        for (int n = 0; n < ninst; ++n) {
            Instance *in = &inst[n];
            in->seq_in->atom.type = atom_sequence;
            in->seq_in->atom.size = sizeof(LV2_Atom_Sequence_Body);
            in->seq_in->body.unit = 0;
            in->seq_in->body.pad = 0;
            in->seq_out->atom.type = atom_chunk;
            in->seq_out->atom.size = SEQ_BYTES - sizeof(LV2_Atom);
            for (int c = 0; c < 2; ++c)
                for (int f = 0; f < block; ++f) in->audio_in[c][f] = sinf((float)(first + f) * 0.01f + c);
        }
        for (; next_event < nevents && events[next_event].frame < first + block; ++next_event) {
            const Event *e = &events[next_event];
            Instance *in = &inst[e->instance];
            if (e->is_param) {
                for (uint32_t p = 0; p < nports; ++p)
                    if (!in->is_output_control[p] && in->symbol[p] && !strcmp(in->symbol[p], e->symbol))
                        in->controls[p] = e->value;
                continue;
            }
            struct { LV2_Atom_Event ev; uint8_t bytes[4]; } ev;
            ev.ev.time.frames = e->frame - first;
            ev.ev.body.type = midi_event;
            ev.ev.body.size = (uint32_t)e->size;
            memcpy(ev.bytes, e->bytes, 3);
            lv2_atom_sequence_append_event(in->seq_in, SEQ_BYTES - sizeof(LV2_Atom), &ev.ev);
        }
        for (int n = 0; n < ninst; ++n) {
            Instance *in = &inst[n];
            const double t0 = now_s();
            lilv_instance_run(in->lv, (uint32_t)block);
            in->run_us[b] = (now_s() - t0) * 1e6;
            run_worker(in->lv, features);
            for (int c = 0; c < 2; ++c)
                for (int f = 0; f < block; ++f) in->mismatches += in->audio_out[c][f] != in->audio_in[c][f];
            LV2_ATOM_SEQUENCE_FOREACH(in->seq_out, ev) {
                if (ev->body.type != midi_event) continue;
                const uint8_t *m = (const uint8_t *)(ev + 1);
                printf("out %d %ld", n, first + (long)ev->time.frames);
                for (uint32_t k = 0; k < ev->body.size; ++k) printf(" %02x", m[k]);
                printf("\n");
            }
            for (uint32_t p = 0; p < nports; ++p)
                if (in->is_output_control[p] && in->controls[p] != in->last_out[p]) {
                    in->last_out[p] = in->controls[p];
                    printf("ctl %d %ld %s %g\n", n, first, in->symbol[p], in->controls[p]);
                }
        }
        if (b == 0) printf("running\n");
        fflush(stdout);
    }
    for (int n = 0; n < ninst; ++n) {
        Instance *in = &inst[n];
        lilv_instance_deactivate(in->lv);
        double max = 0;
        for (long b = 0; b < total_blocks; ++b) max = in->run_us[b] > max ? in->run_us[b] : max;
        qsort(in->run_us, (size_t)total_blocks, sizeof(double), cmp_double);
        printf("stats %d blocks %ld audio_mismatches %ld max_run_us %.1f p99_run_us %.1f\n", n, total_blocks,
               in->mismatches, max, in->run_us[(long)(0.99 * (total_blocks - 1))]);
        lilv_instance_free(in->lv);
    }
    fflush(stdout);
    lilv_world_free(world);
    return 0;
}
